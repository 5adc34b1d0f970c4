# Container image: Python runtime with uv and tini
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
  default = "python:3.12-bookworm"
}

variable "platforms" {
  type    = list(string)
  default = ["linux/amd64", "linux/arm64"]
}

variable "versions" {
  type        = list(string)
  default     = ["3.10.14", "3.11.9", "3.12.4"]
  description = "Python versions to build; one image per version."
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
      repository = "ghcr.io/example/python-runtime"
    }
    ecr = {
      server     = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
      repository = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/python-runtime"
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
    "org.opencontainers.image.title"       = "python-runtime"
    "org.opencontainers.image.description" = "Python runtime with uv and tini"
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
    USER app
    WORKDIR /srv/app
  EOF
}

source "docker" "python-runtime" {
  image    = var.base_image
  commit   = true
  pull     = true
  platform = var.platforms[0]
  changes = concat(local.label_changes, [
    "USER app",
    "WORKDIR /srv/app",
    "ENV PATH=/srv/app/.venv/bin:/usr/local/bin:/usr/bin:/bin",
    "EXPOSE 8000",
    "ENTRYPOINT [\"/usr/bin/tini\", \"--\"]",
    "CMD [\"python\", \"-m\", \"app\"]",
  ])
  run_command = ["-d", "-i", "-t", "--entrypoint=/bin/sh", "--", "{{.Image}}"]
  volumes = {
    "${path.root}/cache" = "/var/cache/build"
  }
}

build {
  name = "python-runtime"

  dynamic "source" {
    for_each = var.versions
    labels   = ["docker.python-runtime"]
    content {
      name = replace(source.value, ".", "_")
    }
  }

  source "docker.python-runtime" {
    name  = "slim"
    image = "python:3.12-slim-bookworm"
  }

  provisioner "shell" {
    inline = [
      "apt-get update",
      "apt-get install -y --no-install-recommends tini ca-certificates curl",
      "pip install --no-cache-dir uv==0.2.27",
      "rm -rf /var/lib/apt/lists/*",
    ]
  }

  provisioner "file" {
    source      = "${path.root}/rootfs/"
    destination = "/"
  }

  provisioner "shell" {
    environment_vars = ["APP_USER=app", "APP_HOME=/srv/app"]
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
    output = "dist/python-runtime-manifest.json"
    custom_data = {
      sha  = local.short_sha
      tags = jsonencode(local.tags_by_version)
    }
  }
}
