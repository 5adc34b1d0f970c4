# A root filesystem built without a container daemon: bake's own "rootfs" builder.
#
#   SOURCE_DATE_EPOCH=1700000000 bake plan --out plans/rootfs-hello/plan.json plans/rootfs-hello

variable "greeting" {
  type        = string
  default     = "hello from a rootfs"
  description = "The text written to /etc/motd."
}

locals {
  scripts = "${path.root}/scripts"
  files   = "${path.root}/files"
}

source "rootfs" "base" {
  base        = "scratch"
  output      = "tar"
  output_path = "out/rootfs.tar"
}

build {
  name    = "rootfs-hello"
  sources = ["source.rootfs.base"]

  provisioner "file" {
    source      = "${local.files}/hello.txt"
    destination = "/hello.txt"
  }

  provisioner "shell" {
    script           = "${local.scripts}/setup.sh"
    environment_vars = ["GREETING=${var.greeting}"]
  }

  provisioner "shell" {
    inline = ["cat /hello.txt /etc/motd"]
  }
}
