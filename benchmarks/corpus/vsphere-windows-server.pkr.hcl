/*
    DESCRIPTION:
    Microsoft Windows Server 2022 build definition (Standard and Datacenter,
    Core and Desktop Experience). Packer Plugin for VMware vSphere.
*/

packer {
  required_version = ">= 1.10.0"
  required_plugins {
    vsphere = {
      source  = "github.com/hashicorp/vsphere"
      version = ">= 1.3.0"
    }
    windows-update = {
      source  = "github.com/rgl/windows-update"
      version = ">= 0.15.0"
    }
  }
}

variable "vsphere_endpoint" {
  type = string
}

variable "vsphere_username" {
  type      = string
  sensitive = true
}

variable "vsphere_password" {
  type      = string
  sensitive = true
}

variable "vsphere_datacenter" {
  type = string
}

variable "vsphere_cluster" {
  type = string
}

variable "vsphere_datastore" {
  type = string
}

variable "vsphere_network" {
  type = string
}

variable "vsphere_folder" {
  type    = string
  default = "templates/windows"
}

variable "build_username" {
  type      = string
  default   = "Administrator"
  sensitive = true
}

variable "build_password" {
  type      = string
  sensitive = true
}

variable "vm_inst_os_language" {
  type    = string
  default = "en-US"
}

variable "vm_inst_os_keyboard" {
  type    = string
  default = "en-US"
}

variable "vm_inst_os_image" {
  type = map(string)
  default = {
    standard_core   = "Windows Server 2022 SERVERSTANDARDCORE"
    standard_dexp   = "Windows Server 2022 SERVERSTANDARD"
    datacenter_core = "Windows Server 2022 SERVERDATACENTERCORE"
    datacenter_dexp = "Windows Server 2022 SERVERDATACENTER"
  }
}

variable "vm_inst_os_kms_key" {
  type = map(string)
  default = {
    standard   = "VDYBN-27WPP-V4HQT-9VMD4-VMK7H"
    datacenter = "WX4NM-KYWYW-QJJR4-XV3QB-6VM33"
  }
  sensitive = true
}

variable "vm_guest_os_edition_standard" {
  type    = string
  default = "standard"
}

variable "vm_guest_os_edition_datacenter" {
  type    = string
  default = "datacenter"
}

variable "vm_cpu_count" {
  type    = number
  default = 2
}

variable "vm_mem_size" {
  type    = number
  default = 4096
}

variable "vm_disk_size" {
  type    = number
  default = 102400
}

variable "iso_datastore_path" {
  type    = string
  default = "iso/windows/server/2022"
}

variable "iso_file" {
  type    = string
  default = "en-us_windows_server_2022_updated_july_2024_x64_dvd_4d4a2f5c.iso"
}

variable "windows_update" {
  type = object({
    search_criteria = string
    filters         = list(string)
    limit           = number
  })
  default = {
    search_criteria = "IsInstalled=0"
    filters = [
      "exclude:$_.Title -like '*VMware*'",
      "exclude:$_.Title -like '*Preview*'",
      "exclude:$_.Title -like '*Defender*'",
      "exclude:$_.InstallationBehavior.CanRequestUserInput",
      "include:$true",
    ]
    limit = 25
  }
}

variable "scripts" {
  type    = list(string)
  default = ["scripts/windows/windows-prepare.ps1"]
}

variable "inline" {
  type = list(string)
  default = [
    "Get-EventLog -LogName * | ForEach { Clear-EventLog -LogName $_.Log }",
  ]
}

locals {
  build_date = formatdate("YYYY-MM-DD hh:mm ZZZ", timestamp())
  iso_path   = "[${var.vsphere_datastore}] ${var.iso_datastore_path}/${var.iso_file}"
  editions = {
    standard_core   = { edition = var.vm_guest_os_edition_standard, experience = "core" }
    standard_dexp   = { edition = var.vm_guest_os_edition_standard, experience = "dexp" }
    datacenter_core = { edition = var.vm_guest_os_edition_datacenter, experience = "core" }
    datacenter_dexp = { edition = var.vm_guest_os_edition_datacenter, experience = "dexp" }
  }
  autounattend = {
    for name, e in local.editions : name => templatefile("${abspath(path.root)}/data/autounattend.pkrtpl.hcl", {
      build_username   = var.build_username
      build_password   = var.build_password
      inst_os_language = var.vm_inst_os_language
      inst_os_keyboard = var.vm_inst_os_keyboard
      inst_os_image    = var.vm_inst_os_image[name]
      kms_key          = var.vm_inst_os_kms_key[e.edition]
    })
  }
  vm_names = { for name, e in local.editions : name => "windows-server-2022-${e.edition}-${e.experience}" }
}

source "vsphere-iso" "windows-server" {
  vcenter_server      = var.vsphere_endpoint
  username            = var.vsphere_username
  password            = var.vsphere_password
  insecure_connection = true
  datacenter          = var.vsphere_datacenter
  cluster             = var.vsphere_cluster
  datastore           = var.vsphere_datastore
  folder              = var.vsphere_folder

  guest_os_type        = "windows2019srvNext_64Guest"
  firmware             = "efi-secure"
  CPUs                 = var.vm_cpu_count
  cpu_cores            = 1
  RAM                  = var.vm_mem_size
  disk_controller_type = ["pvscsi"]
  storage {
    disk_size             = var.vm_disk_size
    disk_thin_provisioned = true
  }
  network_adapters {
    network      = var.vsphere_network
    network_card = "vmxnet3"
  }
  vm_version           = 19
  remove_cdrom         = true
  tools_upgrade_policy = true
  notes                = "Built by HashiCorp Packer on ${local.build_date}."

  iso_paths = [local.iso_path, "[] /vmimages/tools-isoimages/windows.iso"]
  cd_files = [
    "${path.root}/scripts/windows/",
  ]

  boot_order        = "disk,cdrom"
  boot_wait         = "2s"
  boot_command      = ["<spacebar>"]
  ip_wait_timeout   = "20m"
  ip_settle_timeout = "5s"
  shutdown_command  = "shutdown /s /t 10 /f /d p:4:1 /c \"Shutdown by Packer\""
  shutdown_timeout  = "15m"

  communicator   = "winrm"
  winrm_username = var.build_username
  winrm_password = var.build_password
  winrm_port     = 5985
  winrm_timeout  = "12h"

  convert_to_template = false
  content_library_destination {
    library     = "sfo-w01-lib01"
    ovf         = true
    destroy     = true
    skip_import = false
  }
}

build {
  source "vsphere-iso.windows-server" {
    name       = "standard-core"
    vm_name    = local.vm_names.standard_core
    cd_content = { "autounattend.xml" = local.autounattend.standard_core }
  }

  source "vsphere-iso.windows-server" {
    name       = "standard-dexp"
    vm_name    = local.vm_names.standard_dexp
    cd_content = { "autounattend.xml" = local.autounattend.standard_dexp }
  }

  source "vsphere-iso.windows-server" {
    name       = "datacenter-core"
    vm_name    = local.vm_names["datacenter_core"]
    cd_content = { "autounattend.xml" = local.autounattend["datacenter_core"] }
  }

  source "vsphere-iso.windows-server" {
    name       = "datacenter-dexp"
    vm_name    = local.vm_names["datacenter_dexp"]
    cd_content = { "autounattend.xml" = local.autounattend["datacenter_dexp"] }
  }

  provisioner "powershell" {
    environment_vars  = ["BUILD_USERNAME=${var.build_username}"]
    elevated_user     = var.build_username
    elevated_password = var.build_password
    scripts           = formatlist("${path.cwd}/%s", var.scripts)
  }

  provisioner "powershell" {
    elevated_user     = var.build_username
    elevated_password = var.build_password
    inline            = var.inline
  }

  provisioner "windows-update" {
    pause_before    = "30s"
    search_criteria = var.windows_update.search_criteria
    filters         = var.windows_update.filters
    restart_timeout = "120m"
    update_limit    = var.windows_update.limit
  }

  provisioner "windows-restart" {
    only            = ["vsphere-iso.standard-dexp", "vsphere-iso.datacenter-dexp"]
    restart_timeout = "30m"
  }

  post-processor "manifest" {
    output     = "${path.cwd}/manifests/windows-server-2022-${formatdate("YYYYMMDD", timestamp())}.json"
    strip_path = true
    strip_time = true
    custom_data = {
      build_date         = local.build_date
      vm_cpu_count       = var.vm_cpu_count
      vm_mem_size        = var.vm_mem_size
      vm_disk_size       = var.vm_disk_size
      vsphere_cluster    = var.vsphere_cluster
      vsphere_datacenter = var.vsphere_datacenter
      vsphere_datastore  = var.vsphere_datastore
      vsphere_endpoint   = var.vsphere_endpoint
      vsphere_folder     = var.vsphere_folder
    }
  }
}
