# Container image: Go build and runtime toolchain
#
# Built with the docker builder from an upstream base, tagged for every
# registry in var.registries and pushed unless var.push is false.

packer {
  required_plugins {
    docker = {
      version = ">= 1.0.9"
      source  = "github.com/hashicorp/docker"
    }
  }
}

variable "base_image" {
  type    = string
  default = "golang:1.22-bookworm"
}

variable "platforms" {
  type    = list(string)
  default = ["linux/amd64", "linux/arm64"]
}

variable "versions" {
  type        = list(string)
  default     = ["1.21.12", "1.22.5"]
  description = "Go versions to build; one image per version."
}

variable "registries" {
  type = map(object({
    server     = string
    repository = string
    login      = optional(bool, true)
    username   = optional(string)
    password   = optional(string)
    ecr_login  = optional(bool, false)
  }))
  default = {
    ghcr = {
      server     = "ghcr.io"
      repository = "ghcr.io/example/go-toolchain"
    }
    ecr = {
      server     = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
      repository = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/go-toolchain"
      ecr_login  = true
    }
  }
  sensitive = false
}

variable "registry_password" {
  type      = string
  default   = env("REGISTRY_PASSWORD")
  sensitive = true
}

variable "push" {
  type    = bool
  default = true
}

variable "git_sha" {
  type    = string
  default = env("GITHUB_SHA")
}

variable "extra_labels" {
  type    = map(string)
  default = {}
}

locals {
  short_sha = var.git_sha == "" ? "dev" : substr(var.git_sha, 0, 7)
  created   = timestamp()
  labels = merge({
    "org.opencontainers.image.title"       = "go-toolchain"
    "org.opencontainers.image.description" = "Go build and runtime toolchain"
    "org.opencontainers.image.created"     = local.created
    "org.opencontainers.image.revision"    = var.git_sha
    "org.opencontainers.image.source"      = "https://github.com/example/images"
    "org.opencontainers.image.licenses"    = "Apache-2.0"
  }, var.extra_labels)
  label_changes = [for k, v in local.labels : "LABEL ${k}=\"${v}\""]
  tags_by_version = {
    for v in var.versions : v => distinct(compact([
      v,
      "${v}-${local.short_sha}",
      split(".", v)[0],
      v == var.versions[length(var.versions) - 1] ? "latest" : "",
    ]))
  }
  registries_to_push = var.push ? var.registries : {}
  dockerfile_like    = <<-EOF
    FROM ${var.base_image}
    %{~for k, v in local.labels}
    LABEL ${k}="${v}"
    %{~endfor}
    USER nonroot
    WORKDIR /workspace
  EOF
}

source "docker" "go-toolchain" {
  image    = var.base_image
  commit   = true
  pull     = true
  platform = var.platforms[0]
  changes = concat(local.label_changes, [
    "USER nonroot",
    "WORKDIR /workspace",
    "ENV PATH=/go/bin:/usr/local/go/bin:/usr/bin:/bin",
    "EXPOSE 8080",
    "ENTRYPOINT [\"/usr/bin/tini\", \"--\"]",
    "CMD [\"/workspace/bin/server\"]",
  ])
  run_command = ["-d", "-i", "-t", "--entrypoint=/bin/sh", "--", "{{.Image}}"]
  volumes = {
    "${path.root}/cache" = "/var/cache/build"
  }
}

build {
  name = "go-toolchain"

  dynamic "source" {
    for_each = var.versions
    labels   = ["docker.go-toolchain"]
    content {
      name = replace(source.value, ".", "_")
    }
  }

  source "docker.go-toolchain" {
    name  = "slim"
    image = "gcr.io/distroless/base-debian12:debug"
  }

  provisioner "shell" {
    inline = [
      "apt-get update",
      "apt-get install -y --no-install-recommends tini git make protobuf-compiler",
      "go install github.com/golangci/golangci-lint/cmd/golangci-lint@v1.59.1",
      "go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.34.2",
      "rm -rf /var/lib/apt/lists/* /root/.cache/go-build",
    ]
  }

  provisioner "file" {
    source      = "${path.root}/rootfs/"
    destination = "/"
  }

  provisioner "shell" {
    environment_vars = ["APP_USER=nonroot", "APP_HOME=/workspace"]
    script           = "${path.root}/scripts/create-user.sh"
    except           = ["docker.slim"]
  }

  provisioner "shell" {
    inline = ["rm -rf /var/cache/build/* /tmp/* /root/.cache"]
  }

  post-processors {
    post-processor "docker-tag" {
      repository = var.registries.ghcr.repository
      tags       = lookup(local.tags_by_version, replace(source.name, "_", "."), ["slim"])
    }
    post-processor "docker-push" {
      login               = true
      login_server        = var.registries.ghcr.server
      login_username      = "github-actions"
      login_password      = var.registry_password
      keep_input_artifact = true
    }
  }

  post-processors {
    post-processor "docker-tag" {
      repository = var.registries["ecr"].repository
      tags       = ["${replace(source.name, "_", ".")}-${local.short_sha}"]
      force      = true
    }
    post-processor "docker-push" {
      ecr_login    = var.registries.ecr.ecr_login
      login_server = "https://${var.registries.ecr.server}/"
    }
  }

  post-processor "manifest" {
    output = "dist/go-toolchain-manifest.json"
    custom_data = {
      sha  = local.short_sha
      tags = jsonencode(local.tags_by_version)
    }
  }
}
