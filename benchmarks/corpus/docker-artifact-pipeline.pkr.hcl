# Docker artifact pipeline: build once, export the filesystem, re-import it
# as a flattened image, save tarballs for air-gapped sites, and push the
# flattened image to every mirror. Exercises every docker post-processor.

packer {
  required_plugins {
    docker = {
      source  = "github.com/hashicorp/docker"
      version = "~> 1"
    }
  }
}

variable "image" {
  type    = string
  default = "registry.example.com/base/debian"
}

variable "tag" {
  type    = string
  default = "bookworm"
}

variable "mirrors" {
  type = list(string)
  default = [
    "registry.eu.example.com",
    "registry.us.example.com",
    "registry.ap.example.com",
  ]
}

variable "airgap_sites" {
  type    = set(string)
  default = ["factory-1", "factory-2"]
}

variable "squash" {
  type    = bool
  default = true
}

variable "cosign_key" {
  type      = string
  default   = env("COSIGN_KEY")
  sensitive = true
}

locals {
  version      = formatdate("YYYY.MM.DD", timestamp())
  flat_repo    = "${var.image}-flat"
  mirror_repos = [for m in var.mirrors : "${m}/${replace(var.image, "/^[^/]+\\//", "")}"]
  tarballs     = { for s in var.airgap_sites : s => "dist/${s}/${basename(var.image)}-${local.version}.tar" }
  sign_commands = [
    for r in local.mirror_repos : "cosign sign --yes --key env://COSIGN_KEY ${r}:${local.version}"
  ]
}

source "docker" "export" {
  image       = "${var.image}:${var.tag}"
  export_path = "dist/rootfs-${local.version}.tar"
  pull        = true
}

source "docker" "commit" {
  image  = "${var.image}:${var.tag}"
  commit = true
  changes = [
    "ENV LANG=C.UTF-8",
    "LABEL org.opencontainers.image.version=${local.version}",
  ]
}

build {
  name    = "flatten"
  sources = ["source.docker.export"]

  provisioner "shell" {
    inline = [
      "apt-get update",
      "apt-get -y upgrade",
      "apt-get -y install --no-install-recommends ca-certificates tzdata locales",
      "apt-get clean",
      "rm -rf /var/lib/apt/lists/*",
    ]
  }

  post-processors {
    post-processor "docker-import" {
      repository = local.flat_repo
      tag        = local.version
      changes = [
        "ENV LANG=C.UTF-8",
        "CMD [\"/bin/bash\"]",
      ]
      keep_input_artifact = false
    }
    post-processor "docker-tag" {
      repository = local.flat_repo
      tags       = [local.version, "latest"]
    }
    post-processor "docker-push" {}
  }

  post-processor "checksum" {
    checksum_types = ["sha256"]
    output         = "dist/rootfs-${local.version}.{{.ChecksumType}}"
  }
}

build {
  name    = "mirror"
  sources = ["source.docker.commit"]

  provisioner "shell" {
    inline = ["echo ${local.version} > /etc/image-version"]
  }

  post-processors {
    post-processor "docker-tag" {
      repository = local.mirror_repos[0]
      tags       = [local.version]
    }
    post-processor "docker-push" {
      login          = true
      login_server   = var.mirrors[0]
      login_username = "ci"
      login_password = env("MIRROR_TOKEN")
    }
  }

  post-processors {
    post-processor "docker-tag" {
      repository = local.mirror_repos[1]
      tags       = [local.version]
    }
    post-processor "docker-push" {
      login          = true
      login_server   = var.mirrors[1]
      login_username = "ci"
      login_password = env("MIRROR_TOKEN")
    }
  }

  post-processors {
    post-processor "docker-tag" {
      repository = local.mirror_repos[2]
      tags       = [local.version]
    }
    post-processor "docker-push" {
      login          = true
      login_server   = var.mirrors[2]
      login_username = "ci"
      login_password = env("MIRROR_TOKEN")
    }
  }

  post-processors {
    post-processor "docker-save" {
      path = local.tarballs["factory-1"]
    }
    post-processor "compress" {
      output = "${local.tarballs["factory-1"]}.gz"
    }
  }

  post-processors {
    post-processor "docker-save" {
      path = local.tarballs["factory-2"]
    }
    post-processor "compress" {
      output            = "${local.tarballs["factory-2"]}.zst"
      compression_level = 19
    }
  }

  post-processor "shell-local" {
    environment_vars = ["COSIGN_KEY=${var.cosign_key}"]
    inline           = local.sign_commands
  }

  post-processor "manifest" {
    output = "dist/manifest.json"
    custom_data = {
      version = local.version
      mirrors = join(",", local.mirror_repos)
    }
  }
}
