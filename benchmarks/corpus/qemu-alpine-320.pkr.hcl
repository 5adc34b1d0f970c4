//
// Alpine Linux 3.20 (answer file) -- QEMU/KVM cloud image
//
// Produces a qcow2 image suitable for OpenStack, Proxmox and libvirt, plus
// a compressed raw image for bare-metal provisioning. The raw image is also imported as an AMI.
//

packer {
  required_version = ">= 1.10.0"
  required_plugins {
    qemu = {
      version = "~> 1.1"
      source  = "github.com/hashicorp/qemu"
    }
    amazon = {
      version = ">= 1.1.0"
      source  = "github.com/hashicorp/amazon"
    }
  }
}

variable "iso_url" {
  type    = string
  default = "https://dl-cdn.alpinelinux.org/alpine/v3.20/releases/x86_64/alpine-virt-3.20.2-x86_64.iso"
}

variable "iso_checksum" {
  type    = string
  default = "file:https://dl-cdn.alpinelinux.org/alpine/v3.20/releases/x86_64/alpine-virt-3.20.2-x86_64.iso.sha256"
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
  default = "2G"

  validation {
    condition     = can(regex("^[0-9]+[MG]$", var.disk_size))
    error_message = "The disk_size must be a number followed by M or G, e.g. 20G."
  }
}

variable "ssh_username" {
  type    = string
  default = "alpine"
}

variable "ssh_password" {
  type      = string
  default   = "alpine"
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
  default = "dl-cdn.alpinelinux.org"
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
  vm_name = "alpine-320-${formatdate("YYYYMMDD", timestamp())}"
  uefi    = var.firmware == "uefi"
  efi_args = local.uefi ? [
    ["-drive", "if=pflash,format=raw,readonly=on,file=${var.ovmf_code}"],
    ["-drive", "if=pflash,format=raw,file=${var.output_dir}/efivars.fd"],
  ] : []
  answer_file = templatefile("${path.root}/http/answers.pkrtpl", {
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
    "/answers"   = local.answer_file
    "/meta-data" = ""
  }
}

source "qemu" "alpine-320" {
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
  boot_wait    = "30s"
  boot_command = [
    "root<enter><wait>",
    "ifconfig eth0 up && udhcpc -i eth0<enter><wait5>",
    "wget http://{{ .HTTPIP }}:{{ .HTTPPort }}/answers<enter><wait>",
    "setup-alpine -e -f $PWD/answers<enter><wait5>",
    "y<enter><wait30>",
    "mount /dev/vda3 /mnt && echo 'PermitRootLogin yes' >> /mnt/etc/ssh/sshd_config<enter>",
    "umount /mnt ; reboot<enter>"
  ]

  communicator           = "ssh"
  ssh_username           = var.ssh_username
  ssh_password           = var.ssh_password
  ssh_timeout            = "60m"
  ssh_handshake_attempts = 50
  shutdown_command       = "echo '${var.ssh_password}' | sudo -S shutdown -P now"
}

build {
  sources = ["source.qemu.alpine-320"]

  provisioner "shell" {
    execute_command = "echo '${var.ssh_password}' | {{ .Vars }} sudo -S -E bash '{{ .Path }}'"
    inline = [
      "apk update && apk upgrade",
      "apk add ${join(" ", var.extra_packages)}",
      "rc-update add qemu-guest-agent default",
      "rc-update add cloud-init default",
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

  post-processors {
    post-processor "amazon-import" {
      region          = "eu-west-1"
      s3_bucket_name  = "packer-vm-import-eu-west-1"
      s3_key_name     = "${local.vm_name}.raw"
      license_type    = "BYOL"
      format          = "raw"
      boot_mode       = local.uefi ? "uefi" : "legacy-bios"
      ami_name        = local.vm_name
      ami_description = "Imported from the QEMU build ${local.vm_name}"
      role_name       = "vmimport"
      skip_clean      = false
      tags = {
        Name     = local.vm_name
        Source   = "qemu"
        Imported = "{{ timestamp }}"
      }
    }
    post-processor "manifest" {
      output     = "import-manifest.json"
      strip_path = true
    }
  }

  post-processor "checksum" {
    checksum_types      = ["sha256"]
    keep_input_artifact = true
  }
}
