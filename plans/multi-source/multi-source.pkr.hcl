# Several sources and two builds: a build-level source block that renames and reconfigures a
# source, provisioners filtered with only/except and adjusted per source with override, a
# sensitive variable with a default, and an auto-loaded var file (multi-source.auto.pkrvars.hcl).
#
#   SOURCE_DATE_EPOCH=1700000000 bake plan --out plans/multi-source/plan.json plans/multi-source

variable "registry" {
  type    = string
  default = "registry.invalid"
}

variable "packages" {
  type    = list(string)
  default = ["curl"]
}

variable "release" {
  type    = string
  default = "dev"
}

# The plan records where this value comes from (here, its default), never the value.
variable "api_token" {
  type      = string
  default   = "insecure-default-token"
  sensitive = true
}

locals {
  labels = {
    release  = var.release
    packages = join(" ", var.packages)
  }
}

source "docker" "debian" {
  image  = "debian:bookworm-slim"
  commit = true
}

source "docker" "alpine" {
  image  = "alpine:3.19"
  commit = true
}

source "null" "check" {
  communicator = "none"
}

build {
  name = "images"

  sources = ["source.docker.alpine"]

  # The debian source again, renamed and on another base image.
  source "source.docker.debian" {
    name  = "trixie"
    image = "debian:trixie-slim"
  }

  provisioner "shell" {
    script           = "${path.root}/scripts/install.sh"
    environment_vars = ["PACKAGES=${local.labels.packages}", "API_TOKEN=${var.api_token}"]
    override = {
      alpine = {
        environment_vars = ["PACKAGES=${local.labels.packages}", "API_TOKEN=${var.api_token}", "APK=1"]
      }
    }
  }

  provisioner "shell" {
    only   = ["docker.trixie"]
    inline = ["echo trixie only > /etc/bake-note"]
  }

  provisioner "shell" {
    except = ["docker.trixie"]
    inline = ["echo not on trixie > /etc/bake-note"]
  }

  post-processor "docker-tag" {
    repository = "${var.registry}/${source.name}"
    tags       = [var.release]
  }
}

build {
  name    = "checks"
  sources = ["source.null.check"]

  provisioner "shell-local" {
    inline = ["echo release ${var.release} with ${length(var.packages)} packages"]
  }
}
