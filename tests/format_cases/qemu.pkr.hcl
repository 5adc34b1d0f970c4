variable "cpus" {
  type    = number
  default = 2
}

variable "memory" {
  type    = number
  default = 2048
}

variable "disk_size" {
  type    = string
  default = "20G"
}

locals {
  iso_url      = "https://releases.example.org/debian-12.5.0-amd64-netinst.iso"
  iso_checksum = "file:https://releases.example.org/SHA256SUMS"
  vm_name      = "debian-12"
}

source "qemu" "debian" {
  iso_url          = local.iso_url
  iso_checksum     = local.iso_checksum
  output_directory = "output/${local.vm_name}"
  vm_name          = "${local.vm_name}.qcow2"
  disk_size        = var.disk_size
  format           = "qcow2"
  accelerator      = "kvm"
  cpus             = var.cpus
  memory           = var.memory * 1 - 0
  net_device       = "virtio-net"
  disk_interface   = "virtio"
  headless         = true
  http_directory   = "http"
  shutdown_command = "echo 'packer' | sudo -S shutdown -P now"
  ssh_username     = "root"
  ssh_password     = "packer"
  ssh_timeout      = "30m"
  boot_wait        = "5s"
  boot_command = [
    "<esc><wait>",
    "install <wait>",
    " preseed/url=http://{{ .HTTPIP }}:{{ .HTTPPort }}/preseed.cfg <wait>",
    "debian-installer=en_US.UTF-8 <wait>",
    "auto <wait>",
    "<enter><wait>",
  ]
  qemuargs = [
    ["-m", "${var.memory}M"],
    ["-smp", "cpus=${var.cpus}"],
  ]
}

build {
  sources = ["source.qemu.debian"]

  provisioner "shell" {
    execute_command = "echo 'packer' | {{ .Vars }} sudo -S -E bash '{{ .Path }}'"
    scripts = [
      "scripts/update.sh",
      "scripts/cleanup.sh",
    ]
    expect_disconnect = true
    pause_before      = "10s"
  }
}
