# Vagrant base boxes for VirtualBox, one per distribution in var.boxes.
# Each box is exported as OVF, wrapped by the vagrant post-processor and
# uploaded to the internal box registry by a shell-local step.

packer {
  required_plugins {
    virtualbox = {
      version = "~> 1"
      source  = "github.com/hashicorp/virtualbox"
    }
    vagrant = {
      version = "~> 1"
      source  = "github.com/hashicorp/vagrant"
    }
  }
}

variable "boxes" {
  type = map(object({
    iso_url       = string
    iso_checksum  = string
    guest_os_type = string
    boot_command  = list(string)
    http_file     = string
    disk_size     = optional(number, 65536)
    memory        = optional(number, 2048)
  }))
  default = {
    ubuntu2204 = {
      iso_url       = "https://releases.ubuntu.com/22.04/ubuntu-22.04.4-live-server-amd64.iso"
      iso_checksum  = "sha256:45f873de9f8cb637345d6e66a583762730bbea30277ef7b32c9c3bd6700a32b2"
      guest_os_type = "Ubuntu_64"
      boot_command  = ["c", "linux /casper/vmlinuz autoinstall ds='nocloud-net;s=http://{{.HTTPIP}}:{{.HTTPPort}}/' ---<enter><wait>", "initrd /casper/initrd<enter><wait>", "boot<enter>"]
      http_file     = "user-data"
    }
    debian12 = {
      iso_url       = "https://cdimage.debian.org/debian-cd/current/amd64/iso-cd/debian-12.6.0-amd64-netinst.iso"
      iso_checksum  = "file:https://cdimage.debian.org/debian-cd/current/amd64/iso-cd/SHA256SUMS"
      guest_os_type = "Debian_64"
      boot_command  = ["<esc><wait>", "auto preseed/url=http://{{.HTTPIP}}:{{.HTTPPort}}/preseed.cfg<enter>"]
      http_file     = "preseed.cfg"
      memory        = 1024
    }
    almalinux9 = {
      iso_url       = "https://repo.almalinux.org/almalinux/9/isos/x86_64/AlmaLinux-9-latest-x86_64-boot.iso"
      iso_checksum  = "file:https://repo.almalinux.org/almalinux/9/isos/x86_64/CHECKSUM"
      guest_os_type = "RedHat_64"
      boot_command  = ["<tab> inst.text inst.ks=http://{{.HTTPIP}}:{{.HTTPPort}}/ks.cfg<enter><wait>"]
      http_file     = "ks.cfg"
      disk_size     = 40960
    }
  }
}

variable "box_version" {
  type    = string
  default = "0.0.0"

  validation {
    condition     = can(regex("^\\d+\\.\\d+\\.\\d+$", var.box_version))
    error_message = "Box versions must be semantic versions."
  }
}

variable "vagrant_cloud_org" {
  type    = string
  default = "example"
}

variable "vagrant_cloud_token" {
  type      = string
  default   = env("VAGRANT_CLOUD_TOKEN")
  sensitive = true
}

variable "headless" {
  type    = bool
  default = true
}

variable "vrde" {
  type    = bool
  default = false
}

locals {
  box_names   = keys(var.boxes)
  output_root = "${path.root}/builds"
  vboxmanage_common = [
    ["modifyvm", "{{.Name}}", "--nat-localhostreachable1", "on"],
    ["modifyvm", "{{.Name}}", "--graphicscontroller", "vmsvga"],
    ["modifyvm", "{{.Name}}", "--vram", "16"],
    ["modifyvm", "{{.Name}}", "--audio-driver", "none"],
    ["modifyvm", "{{.Name}}", "--vrde", var.vrde ? "on" : "off"],
  ]
  vagrantfile = <<-RUBY
    Vagrant.configure("2") do |config|
      config.vm.box_check_update = false
      config.vm.provider "virtualbox" do |vb|
        vb.linked_clone = true
        vb.customize ["modifyvm", :id, "--nested-hw-virt", "on"]
      end
    end
  RUBY
}

source "virtualbox-iso" "base" {
  headless                = var.headless
  hard_drive_interface    = "sata"
  hard_drive_discard      = true
  iso_interface           = "sata"
  firmware                = "efi"
  nested_virt             = true
  rtc_time_base           = "UTC"
  cpus                    = 2
  guest_additions_mode    = "upload"
  guest_additions_path    = "VBoxGuestAdditions_{{.Version}}.iso"
  virtualbox_version_file = ".vbox_version"
  http_directory          = "${path.root}/http"
  ssh_username            = "vagrant"
  ssh_password            = "vagrant"
  ssh_port                = 22
  ssh_timeout             = "3h"
  shutdown_command        = "echo 'vagrant' | sudo -S shutdown -P now"
  vboxmanage              = local.vboxmanage_common
  vboxmanage_post = [
    ["modifyvm", "{{.Name}}", "--memory", "1024"],
    ["storagectl", "{{.Name}}", "--name", "IDE Controller", "--remove"],
  ]
  format = "ovf"
}

build {
  source "virtualbox-iso.base" {
    name             = "ubuntu2204"
    vm_name          = "ubuntu2204-${var.box_version}"
    iso_url          = var.boxes.ubuntu2204.iso_url
    iso_checksum     = var.boxes.ubuntu2204.iso_checksum
    guest_os_type    = var.boxes.ubuntu2204.guest_os_type
    boot_command     = var.boxes.ubuntu2204.boot_command
    disk_size        = var.boxes.ubuntu2204.disk_size
    memory           = var.boxes.ubuntu2204.memory
    output_directory = "${local.output_root}/ubuntu2204"
    boot_wait        = "5s"
  }

  source "virtualbox-iso.base" {
    name             = "debian12"
    vm_name          = "debian12-${var.box_version}"
    iso_url          = var.boxes["debian12"].iso_url
    iso_checksum     = var.boxes["debian12"].iso_checksum
    guest_os_type    = var.boxes["debian12"].guest_os_type
    boot_command     = var.boxes["debian12"].boot_command
    disk_size        = var.boxes["debian12"].disk_size
    memory           = var.boxes["debian12"].memory
    output_directory = "${local.output_root}/debian12"
    boot_wait        = "10s"
  }

  source "virtualbox-iso.base" {
    name             = "almalinux9"
    vm_name          = "almalinux9-${var.box_version}"
    iso_url          = var.boxes.almalinux9.iso_url
    iso_checksum     = var.boxes.almalinux9.iso_checksum
    guest_os_type    = var.boxes.almalinux9.guest_os_type
    boot_command     = var.boxes.almalinux9.boot_command
    disk_size        = var.boxes.almalinux9.disk_size
    memory           = var.boxes.almalinux9.memory
    output_directory = "${local.output_root}/almalinux9"
    boot_wait        = "3s"
  }

  provisioner "shell" {
    execute_command = "echo 'vagrant' | {{.Vars}} sudo -S -E sh -eux '{{.Path}}'"
    environment_vars = [
      "HOME_DIR=/home/vagrant",
      "BOX_NAME=${source.name}",
      "http_proxy=${env("http_proxy")}",
      "https_proxy=${env("https_proxy")}",
      "no_proxy=${env("no_proxy")}",
    ]
    scripts = [
      "${path.root}/scripts/_common/update.sh",
      "${path.root}/scripts/_common/sshd.sh",
      "${path.root}/scripts/_common/vagrant.sh",
      "${path.root}/scripts/_common/virtualbox.sh",
      "${path.root}/scripts/_common/motd.sh",
      "${path.root}/scripts/_common/minimize.sh",
    ]
    expect_disconnect = true
  }

  provisioner "shell" {
    only            = ["virtualbox-iso.almalinux9"]
    execute_command = "echo 'vagrant' | {{.Vars}} sudo -S -E sh -eux '{{.Path}}'"
    inline          = ["dnf -y install kernel-devel-$(uname -r) gcc make perl bzip2 elfutils-libelf-devel"]
    pause_before    = "5s"
  }

  provisioner "shell" {
    except          = ["virtualbox-iso.almalinux9"]
    execute_command = "echo 'vagrant' | {{.Vars}} sudo -S -E sh -eux '{{.Path}}'"
    inline          = ["apt-get install -y build-essential dkms linux-headers-$(uname -r)"]
  }

  post-processors {
    post-processor "vagrant" {
      compression_level              = 9
      keep_input_artifact            = false
      output                         = "${local.output_root}/{{.BuildName}}-${var.box_version}.{{.Provider}}.box"
      vagrantfile_template_generated = false
      include                        = ["${path.root}/files/info.json"]
    }
    post-processor "checksum" {
      checksum_types = ["sha256"]
      output         = "${local.output_root}/{{.BuildName}}-${var.box_version}.{{.ChecksumType}}"
    }
    post-processor "shell-local" {
      environment_vars = [
        "BOX=${source.name}",
        "VERSION=${var.box_version}",
        "ORG=${var.vagrant_cloud_org}",
      ]
      inline = [
        "vagrant cloud publish --release --force $ORG/$BOX $VERSION virtualbox ${local.output_root}/$BOX-$VERSION.virtualbox.box",
      ]
      only = ["virtualbox-iso.ubuntu2204", "virtualbox-iso.debian12"]
    }
  }
}
