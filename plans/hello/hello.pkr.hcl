# The bake quick start: a tiny root filesystem built from scratch, with no container daemon.
#
# bake's own "rootfs" builder starts from an empty tree, copies in the host's static busybox
# (Debian/Ubuntu: busybox-static) and runs the provisioners inside it through chroot. The result
# is a tar of the tree, byte for byte the same on every machine with the same busybox.
#
#   bake plan --out hello.plan.json plans/hello && bake apply hello.plan.json

variable "greeting" {
  type        = string
  default     = "hello"
  description = "The text written to /hello.txt inside the image."
}

variable "busybox" {
  type        = string
  default     = "/bin/busybox"
  description = "A statically linked busybox: the image's shell and tools."
}

source "rootfs" "hello" {
  base        = "scratch"
  output      = "tar"
  output_path = "output/hello.tar"
}

build {
  sources = ["source.rootfs.hello"]

  # Debian's busybox runs its applets without links, so as /bin/sh it can install the rest.
  provisioner "file" {
    source      = var.busybox
    destination = "/bin/sh"
  }

  provisioner "shell" {
    remote_path = "/bootstrap.sh"
    inline = [
      "ln /bin/sh /bin/busybox",
      "/bin/busybox --install -s /bin",
      "mkdir -p /etc /tmp /root && chmod 1777 /tmp",
    ]
  }

  provisioner "shell" {
    inline = ["echo ${var.greeting} > /hello.txt"]
  }
}
