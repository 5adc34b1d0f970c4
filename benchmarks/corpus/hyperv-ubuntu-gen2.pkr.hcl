/*
  Hyper-V Generation 2 Ubuntu image.

  The installer is driven by an autoinstall user-data file rendered from a
  template and served over Packer's HTTP server; the VM is exported as a
  VHDX and as a zipped bundle for Windows Admin Center.
*/

packer {
  required_plugins {
    hyperv = {
      source  = "github.com/hashicorp/hyperv"
      version = "~> 1"
    }
  }
}

variable "vm_name" {
  type    = string
  default = "ubuntu-2204-gen2"
}

variable "switch_name" {
  type    = string
  default = "Default Switch"
}

variable "vlan_id" {
  type    = string
  default = ""
}

variable "cpus" {
  type    = number
  default = 2
}

variable "memory" {
  type    = number
  default = 4096
}

variable "disk_size" {
  type    = number
  default = 65536
}

variable "iso" {
  type = object({
    url      = string
    checksum = string
  })
  default = {
    url      = "https://releases.ubuntu.com/22.04/ubuntu-22.04.4-live-server-amd64.iso"
    checksum = "sha256:45f873de9f8cb637345d6e66a583762730bbea30277ef7b32c9c3bd6700a32b2"
  }
}

variable "username" {
  type    = string
  default = "ubuntu"
}

variable "password" {
  type      = string
  default   = "ubuntu"
  sensitive = true
}

variable "ssh_authorized_keys" {
  type    = list(string)
  default = []
}

variable "storage_layout" {
  type    = string
  default = "lvm"

  validation {
    condition     = contains(["lvm", "direct", "zfs"], var.storage_layout)
    error_message = "The storage_layout must be lvm, direct or zfs."
  }
}

variable "snaps" {
  type = list(object({
    name    = string
    classic = optional(bool, false)
    channel = optional(string, "stable")
  }))
  default = [
    { name = "powershell", classic = true },
    { name = "yq" },
  ]
}

locals {
  hashed_password = bcrypt(var.password)
  user_data       = <<-YAML
    #cloud-config
    autoinstall:
      version: 1
      locale: en_US.UTF-8
      keyboard:
        layout: us
      storage:
        layout:
          name: ${var.storage_layout}
      identity:
        hostname: ${var.vm_name}
        username: ${var.username}
        password: "${local.hashed_password}"
      ssh:
        install-server: true
        allow-pw: true
    %{ if length(var.ssh_authorized_keys) > 0 ~}
        authorized-keys:
    %{ for k in var.ssh_authorized_keys ~}
          - "${k}"
    %{ endfor ~}
    %{ endif ~}
      packages:
        - linux-azure
        - linux-tools-virtual
        - linux-cloud-tools-virtual
      snaps:
    %{ for s in var.snaps ~}
        - name: ${s.name}
          channel: ${s.channel}
          classic: ${s.classic}
    %{ endfor ~}
      late-commands:
        - echo '${var.username} ALL=(ALL) NOPASSWD:ALL' > /target/etc/sudoers.d/${var.username}
        - curtin in-target --target=/target -- systemctl enable hv-kvp-daemon.service
  YAML
  export_dir      = "${path.root}/output-${var.vm_name}"
}

source "hyperv-iso" "ubuntu" {
  vm_name                          = var.vm_name
  generation                       = 2
  cpus                             = var.cpus
  memory                           = var.memory
  enable_dynamic_memory            = false
  enable_secure_boot               = true
  secure_boot_template             = "MicrosoftUEFICertificateAuthority"
  enable_virtualization_extensions = false
  guest_additions_mode             = "disable"
  disk_size                        = var.disk_size
  disk_block_size                  = 1
  use_fixed_vhd_format             = false
  differencing_disk                = false
  switch_name                      = var.switch_name
  vlan_id                          = var.vlan_id
  iso_url                          = var.iso.url
  iso_checksum                     = var.iso.checksum
  http_content = {
    "/user-data" = local.user_data
    "/meta-data" = ""
  }
  boot_wait = "5s"
  boot_command = [
    "c<wait>",
    "linux /casper/vmlinuz quiet autoinstall ds='nocloud-net;s=http://{{ .HTTPIP }}:{{ .HTTPPort }}/' ---",
    "<enter><wait>",
    "initrd /casper/initrd",
    "<enter><wait>",
    "boot<enter>",
  ]
  ssh_username     = var.username
  ssh_password     = var.password
  ssh_timeout      = "4h"
  shutdown_command = "echo '${var.password}' | sudo -S -E shutdown -P now"
  shutdown_timeout = "30m"
  output_directory = local.export_dir
  skip_compaction  = false
  keep_registered  = false
}

build {
  sources = ["source.hyperv-iso.ubuntu"]

  provisioner "shell" {
    execute_command = "echo '${var.password}' | sudo -S -E bash '{{ .Path }}'"
    inline = [
      "apt-get update",
      "apt-get -y dist-upgrade",
      "apt-get -y install linux-image-virtual linux-tools-virtual linux-cloud-tools-virtual xrdp",
      "systemctl enable xrdp",
    ]
    expect_disconnect = true
  }

  provisioner "shell" {
    execute_command = "echo '${var.password}' | sudo -S -E bash '{{ .Path }}'"
    script          = "${path.root}/scripts/enhanced-session.sh"
    pause_before    = "30s"
    max_retries     = 5
  }

  provisioner "breakpoint" {
    disable = true
    note    = "Inspect the VM over Enhanced Session before it is generalised."
  }

  provisioner "shell" {
    execute_command = "echo '${var.password}' | sudo -S -E bash '{{ .Path }}'"
    inline = [
      "cloud-init clean --logs",
      "truncate -s 0 /etc/machine-id",
      "rm -f /var/lib/dbus/machine-id",
      "fstrim -av",
    ]
  }

  post-processor "compress" {
    output = "${local.export_dir}/${var.vm_name}.zip"
    format = "zip"
  }

  post-processor "checksum" {
    checksum_types = ["sha1", "sha256"]
    output         = "${local.export_dir}/${var.vm_name}_{{.ChecksumType}}.checksum"
  }
}
