# Shared Windows provisioning used by the hyperv-iso and vsphere-iso
# Windows templates in this repository. Everything here is driven by
# variables so the same build block works for Server and Client SKUs.

variable "windows_edition" {
  type    = string
  default = "datacenter"

  validation {
    condition     = contains(["standard", "datacenter", "enterprise", "pro"], lower(var.windows_edition))
    error_message = "Edition must be standard, datacenter, enterprise or pro."
  }
}

variable "windows_version" {
  type    = string
  default = "2022"
}

variable "windows_language" {
  type    = string
  default = "en-US"
}

variable "windows_timezone" {
  type    = string
  default = "UTC"
}

variable "admin_username" {
  type      = string
  default   = "packer"
  sensitive = true
}

variable "admin_password" {
  type      = string
  default   = "P@ckerBu1ld!"
  sensitive = true
}

variable "product_keys" {
  type = map(string)
  default = {
    "2019-standard"   = "N69G4-B89J2-4G8F4-WWYCC-J464C"
    "2019-datacenter" = "WMDGN-G9PQG-XVVXX-R3X43-63DFG"
    "2022-standard"   = "VDYBN-27WPP-V4HQT-9VMD4-VMK7H"
    "2022-datacenter" = "WX4NM-KYWYW-QJJR4-XV3QB-6VM33"
  }
  sensitive = true
}

variable "inline_scripts" {
  type = object({
    before_updates = optional(list(string), [])
    after_updates  = optional(list(string), [])
  })
  default = {}
}

variable "scripts_dir" {
  type    = string
  default = "scripts/windows"
}

variable "updates" {
  type = object({
    enabled    = bool
    limit      = optional(number, 50)
    categories = optional(list(string), ["Critical Updates", "Security Updates", "Update Rollups"])
  })
  default = {
    enabled = true
  }
}

locals {
  edition_key = "${var.windows_version}-${lower(var.windows_edition)}"
  product_key = lookup(var.product_keys, local.edition_key, "")
  is_server   = !contains(["enterprise", "pro"], lower(var.windows_edition))
  image_index = {
    standard   = 2
    datacenter = 4
    enterprise = 3
    pro        = 6
  }[lower(var.windows_edition)]
  update_filters = [for c in var.updates.categories : "include:$_.Categories | Where-Object { $_.Name -eq '${c}' }"]

  autounattend = templatefile("${path.root}/answer_files/autounattend.xml.pkrtpl", {
    admin_username = var.admin_username
    admin_password = var.admin_password
    product_key    = local.product_key
    image_index    = local.image_index
    language       = var.windows_language
    timezone       = var.windows_timezone
    is_server      = local.is_server
  })

  setup_script = <<-PS1
    $ErrorActionPreference = 'Stop'
    Set-TimeZone -Id '${var.windows_timezone}'
    %{if local.is_server~}
    Install-WindowsFeature -Name NET-Framework-Features
    %{else~}
    Enable-WindowsOptionalFeature -Online -FeatureName NetFx3 -All -NoRestart
    %{endif~}
    %{for s in var.inline_scripts.before_updates~}
    ${s}
    %{endfor~}
  PS1

  scripts = {
    base = [
      "${var.scripts_dir}/disable-uac.ps1",
      "${var.scripts_dir}/enable-rdp.ps1",
      "${var.scripts_dir}/configure-power.ps1",
    ]
    tools = [
      "${var.scripts_dir}/install-vmtools.ps1",
      "${var.scripts_dir}/install-cloudbase-init.ps1",
    ]
    cleanup = [
      "${var.scripts_dir}/cleanup.ps1",
      "${var.scripts_dir}/compact.ps1",
    ]
  }
}

source "hyperv-iso" "windows" {
  iso_url              = "iso/windows-${var.windows_version}.iso"
  iso_checksum         = "none"
  generation           = 2
  cpus                 = 4
  memory               = 8192
  disk_size            = 81920
  switch_name          = "Default Switch"
  enable_secure_boot   = true
  secure_boot_template = "MicrosoftWindows"
  enable_tpm           = true
  cd_content = {
    "autounattend.xml" = local.autounattend
    "setup.ps1"        = local.setup_script
  }
  boot_wait        = "1s"
  boot_command     = ["<spacebar><wait><spacebar>"]
  communicator     = "winrm"
  winrm_username   = var.admin_username
  winrm_password   = var.admin_password
  winrm_timeout    = "4h"
  shutdown_command = "C:\\Windows\\System32\\Sysprep\\sysprep.exe /generalize /oobe /shutdown /unattend:E:\\unattend.xml"
  shutdown_timeout = "30m"
}

source "vsphere-iso" "windows" {
  vcenter_server = "vcsa.lab.local"
  username       = "administrator@vsphere.local"
  password       = var.admin_password
  datacenter     = "dc01"
  cluster        = "cl01"
  datastore      = "ds01"
  guest_os_type  = local.is_server ? "windows2019srvNext_64Guest" : "windows9_64Guest"
  firmware       = "efi-secure"
  vTPM           = !local.is_server
  CPUs           = 4
  RAM            = 8192
  iso_paths      = ["[ds01] iso/windows-${var.windows_version}.iso", "[] /vmimages/tools-isoimages/windows.iso"]
  cd_files       = ["${path.root}/drivers/pvscsi/*"]
  cd_content = {
    "autounattend.xml" = local.autounattend
  }
  storage {
    disk_size             = 81920
    disk_thin_provisioned = true
  }
  network_adapters {
    network      = "VM Network"
    network_card = "vmxnet3"
  }
  communicator        = "winrm"
  winrm_username      = var.admin_username
  winrm_password      = var.admin_password
  convert_to_template = true
}

build {
  name    = "windows-${var.windows_version}"
  sources = ["source.hyperv-iso.windows", "source.vsphere-iso.windows"]

  provisioner "powershell" {
    scripts = local.scripts.base
  }

  provisioner "powershell" {
    scripts = local.scripts.tools
    only    = ["vsphere-iso.windows"]
  }

  provisioner "windows-restart" {}

  dynamic "provisioner" {
    for_each = var.updates.enabled ? [var.updates] : []
    labels   = ["windows-update"]
    content {
      filters      = concat(local.update_filters, ["include:$true"])
      update_limit = provisioner.value.limit
    }
  }

  provisioner "powershell" {
    inline = length(var.inline_scripts.after_updates) > 0 ? var.inline_scripts.after_updates : ["Write-Host 'no post-update scripts'"]
  }

  provisioner "windows-restart" {
    restart_timeout = "15m"
    pause_before    = "10s"
    except          = ["hyperv-iso.windows"]
  }

  provisioner "powershell" {
    scripts     = local.scripts.cleanup
    max_retries = 1
  }

  post-processors {
    post-processor "manifest" {
      output = "output/windows-${var.windows_version}.json"
    }
    post-processor "checksum" {
      checksum_types = ["sha256"]
      output         = "output/windows-${var.windows_version}_{{.ChecksumType}}.checksum"
    }
  }
}
