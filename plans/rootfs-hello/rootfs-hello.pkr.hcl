# A root filesystem built without a container daemon, published as an OCI image layout.
#
#   SOURCE_DATE_EPOCH=1700000000 bake plan --out plans/rootfs-hello/plan.json plans/rootfs-hello
#   skopeo copy oci:plans/rootfs-hello/out/rootfs.oci:latest docker-daemon:bake/rootfs-hello:latest

variable "greeting" {
  type        = string
  default     = "hello from a rootfs"
  description = "The text written to /etc/motd."
}

variable "busybox" {
  type        = string
  default     = "/bin/busybox"
  description = "A statically linked busybox (Debian/Ubuntu: busybox-static)."
}

locals {
  scripts = "${path.root}/scripts"
  files   = "${path.root}/files"
}

source "rootfs" "base" {
  base        = "scratch"
  output      = "oci"
  output_path = "out/rootfs.oci"
}

build {
  name    = "rootfs-hello"
  sources = ["source.rootfs.base"]

  provisioner "file" {
    source      = var.busybox
    destination = "/bin/sh"
  }

  provisioner "shell" {
    remote_path = "/bootstrap.sh"
    inline      = ["ln /bin/sh /bin/busybox", "/bin/busybox --install -s /bin", "mkdir -p /tmp && chmod 1777 /tmp"]
  }

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
