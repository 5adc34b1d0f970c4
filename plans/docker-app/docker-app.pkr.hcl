# A small web app image: a script with environment variables, a folder copied in, image
# metadata set with `changes`, and a tag + manifest post-processor chain.
#
#   SOURCE_DATE_EPOCH=1700000000 bake plan --out plans/docker-app/plan.json plans/docker-app

variable "app_version" {
  type    = string
  default = "1.4.2"
}

variable "port" {
  type    = number
  default = 8080
}

locals {
  repository = "bake/docker-app"
  app_dir    = "/srv/app"
  tags       = [var.app_version, "latest"]
}

source "docker" "app" {
  image  = "bake/busybox:latest"
  commit = true
  changes = [
    "ENV APP_VERSION=${var.app_version}",
    "EXPOSE ${var.port}",
    "WORKDIR ${local.app_dir}",
    "ENTRYPOINT [\"/srv/app/run.sh\"]",
  ]
}

build {
  name    = "app"
  sources = ["source.docker.app"]

  provisioner "shell-local" {
    inline = ["test -f ${path.root}/app/run.sh"]
  }

  provisioner "shell" {
    inline = ["mkdir -p ${local.app_dir}"]
  }

  # With a trailing slash the folder's contents go into /srv/app (Packer's rule).
  provisioner "file" {
    source      = "${path.root}/app/"
    destination = local.app_dir
  }

  provisioner "shell" {
    script = "${path.root}/scripts/install.sh"
    environment_vars = [
      "APP_DIR=${local.app_dir}",
      "APP_VERSION=${var.app_version}",
      "APP_PORT=${var.port}",
    ]
    timeout     = "5m"
    max_retries = 2
  }

  post-processors {
    post-processor "docker-tag" {
      repository = local.repository
      tags       = local.tags
    }
    post-processor "manifest" {
      output     = "out/docker-app-manifest.json"
      strip_path = true
      custom_data = {
        version = var.app_version
      }
    }
  }
}
