# Build a small application image and push it.

packer {
  required_plugins {
    docker = {
      version = ">= 1.0.8"
      source  = "github.com/hashicorp/docker"
    }
  }
}

variable "image_tag" {
  type    = string
  default = "latest"
}

variable "registry" {
  type      = string
  default   = "registry.example.com"
  sensitive = false
}

source "docker" "alpine" {
  image  = "alpine:3.19"
  commit = true
  changes = [
    "ENTRYPOINT [\"/app/run\"]",
    "ENV PATH=/app:$PATH",
    "WORKDIR /app",
  ]
  run_command = ["-d", "-i", "-t", "--entrypoint=/bin/sh", "--", "{{.Image}}"]
}

build {
  name = "app"
  sources = [
    "source.docker.alpine",
  ]

  provisioner "shell" {
    inline = ["apk add --no-cache curl", "mkdir -p /app"]
  }

  post-processors {
    post-processor "docker-tag" {
      repository = "${var.registry}/app"
      tags       = [var.image_tag, "build-${formatdate("YYYYMMDD", timestamp())}"]
    }
    post-processor "docker-push" {}
  }
}
