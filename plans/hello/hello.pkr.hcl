# The bake quick-start: build a tiny Docker image that says hello.
#
#   bake validate --syntax-only plans/hello/hello.pkr.hcl

variable "greeting" {
  type        = string
  default     = "hello"
  description = "The text written to /hello.txt inside the image."
}

locals {
  hello_file = "/hello.txt"
  repository = "bake/hello"
}

source "docker" "box" {
  image  = "bake/busybox:latest" # made locally by tools/engine.py
  pull   = false
  commit = true
}

build {
  sources = ["source.docker.box"]

  provisioner "shell" {
    inline = ["echo ${var.greeting} > /hello.txt"]
  }

  post-processor "docker-tag" {
    repository = "bake/hello"
    tags       = ["latest"]
  }
}
