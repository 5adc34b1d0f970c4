//
// Ubuntu 24.04 (autoinstall) -- QEMU/KVM cloud image
//
// Produces a qcow2 image suitable for OpenStack, Proxmox and libvirt, plus
// a compressed raw image for bare-metal provisioning. Uses cloud-init autoinstall (nocloud-net).
//

packer {
  required_version = ">= 1.10.0"
  required_plugins {
    qemu = {
      version = "~> 1.1"
      source  = "github.com/hashicorp/qemu"
    }
    ansible = {
      version = ">= 1.1.0"
      source  = "github.com/hashicorp/ansible"
    }
  }
}

variable "iso_url" {
  type    = string
  default = "https://releases.ubuntu.com/24.04/ubuntu-24.04-live-server-amd64.iso"
}

variable "iso_checksum" {
  type    = string
  default = "file:https://releases.ubuntu.com/24.04/SHA256SUMS"
}

variable "accelerator" {
  type    = string
  default = "kvm"

  validation {
    condition     = contains(["kvm", "tcg", "hvf", "whpx", "none"], var.accelerator)
    error_message = "Accelerator must be one of kvm, tcg, hvf, whpx or none."
  }
}

variable "headless" {
  type    = bool
  default = true
}

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
  default = "25G"

  validation {
    condition     = can(regex("^[0-9]+[MG]$", var.disk_size))
    error_message = "The disk_size must be a number followed by M or G, e.g. 20G."
  }
}

variable "ssh_username" {
  type    = string
  default = "ubuntu"
}

variable "ssh_password" {
  type      = string
  default   = "ubuntu"
  sensitive = true
}

variable "output_dir" {
  type    = string
  default = "output"
}

variable "firmware" {
  type    = string
  default = "uefi"
}

variable "ovmf_code" {
  type    = string
  default = "/usr/share/OVMF/OVMF_CODE_4M.fd"
}

variable "ovmf_vars" {
  type    = string
  default = "/usr/share/OVMF/OVMF_VARS_4M.fd"
}

variable "mirror" {
  type    = string
  default = "archive.ubuntu.com"
}

variable "locale" {
  type = object({
    language = optional(string, "en")
    country  = optional(string, "US")
    keymap   = optional(string, "us")
    timezone = optional(string, "Etc/UTC")
  })
  default = {}
}

variable "extra_packages" {
  type    = list(string)
  default = ["qemu-guest-agent", "cloud-init", "curl", "sudo"]
}

locals {
  vm_name = "ubuntu-2404-${formatdate("YYYYMMDD", timestamp())}"
  uefi    = var.firmware == "uefi"
  efi_args = local.uefi ? [
    ["-drive", "if=pflash,format=raw,readonly=on,file=${var.ovmf_code}"],
    ["-drive", "if=pflash,format=raw,file=${var.output_dir}/efivars.fd"],
  ] : []
  answer_file = templatefile("${path.root}/http/user-data.pkrtpl", {
    username = var.ssh_username
    password = var.ssh_password
    mirror   = var.mirror
    language = var.locale.language
    country  = var.locale.country
    keymap   = var.locale.keymap
    timezone = var.locale.timezone
    packages = var.extra_packages
  })
  http = {
    "/user-data" = local.answer_file
    "/meta-data" = ""
  }
}

source "qemu" "ubuntu-2404" {
  vm_name            = "${local.vm_name}.qcow2"
  iso_url            = var.iso_url
  iso_checksum       = var.iso_checksum
  output_directory   = "${var.output_dir}/${local.vm_name}"
  accelerator        = var.accelerator
  headless           = var.headless
  cpus               = var.cpus
  memory             = var.memory
  machine_type       = "q35"
  cpu_model          = "host"
  net_device         = "virtio-net"
  disk_interface     = "virtio-scsi"
  disk_size          = var.disk_size
  disk_discard       = "unmap"
  disk_detect_zeroes = "unmap"
  disk_compression   = true
  format             = "qcow2"
  efi_boot           = local.uefi
  efi_firmware_code  = local.uefi ? var.ovmf_code : null
  efi_firmware_vars  = local.uefi ? var.ovmf_vars : null
  qemuargs = concat([
    ["-serial", "mon:stdio"],
    ["-device", "virtio-rng-pci"],
  ], local.efi_args)

  http_content = local.http
  boot_wait    = "8s"
  boot_command = [
    "c<wait>",
    "linux /casper/vmlinuz --- autoinstall ds=\"nocloud-net;seedfrom=http://{{ .HTTPIP }}:{{ .HTTPPort }}/\"",
    "<enter><wait>",
    "initrd /casper/initrd<enter><wait>",
    "boot<enter>"
  ]

  communicator           = "ssh"
  ssh_username           = var.ssh_username
  ssh_password           = var.ssh_password
  ssh_timeout            = "60m"
  ssh_handshake_attempts = 50
  shutdown_command       = "echo '${var.ssh_password}' | sudo -S shutdown -P now"
}

build {
  sources = ["source.qemu.ubuntu-2404"]

  provisioner "shell" {
    execute_command = "echo '${var.ssh_password}' | {{ .Vars }} sudo -S -E bash '{{ .Path }}'"
    inline = [
      "cloud-init status --wait || true",
      "apt-get update && apt-get -y upgrade",
      "apt-get -y install ${join(" ", var.extra_packages)}",
      "rm -f /etc/cloud/cloud.cfg.d/99-installer.cfg /etc/netplan/00-installer-config.yaml",
    ]
    expect_disconnect = true
  }

  provisioner "shell" {
    execute_command = "echo '${var.ssh_password}' | {{ .Vars }} sudo -S -E bash '{{ .Path }}'"
    scripts = [
      "${path.root}/scripts/cloud-init.sh",
      "${path.root}/scripts/grub.sh",
      "${path.root}/scripts/minimize.sh",
    ]
    pause_before = "15s"
    max_retries  = 2
    timeout      = "30m"
  }

  post-processor "shell-local" {
    inline_shebang = "/bin/bash -e"
    inline = [
      "cd ${var.output_dir}/${local.vm_name}",
      "qemu-img convert -O raw ${local.vm_name}.qcow2 ${local.vm_name}.raw",
      "qemu-img info --output=json ${local.vm_name}.qcow2 > ${local.vm_name}.json",
    ]
  }

  post-processors {
    post-processor "compress" {
      output              = "${var.output_dir}/${local.vm_name}.raw.gz"
      compression_level   = 6
      keep_input_artifact = true
    }
    post-processor "checksum" {
      checksum_types = ["sha256", "sha512"]
      output         = "${var.output_dir}/${local.vm_name}.{{.ChecksumType}}"
    }
  }
}
