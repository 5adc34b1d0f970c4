# Shared input variables for every vsphere-iso build in this directory.
#
# Values come from `config/*.pkrvars.hcl`; sensitive ones from the
# environment (PKR_VAR_vsphere_password and friends) in CI.

variable "vsphere_endpoint" {
  type        = string
  description = "The fully qualified domain name or IP address of the vCenter Server instance."

  validation {
    condition     = length(var.vsphere_endpoint) > 0
    error_message = "The vsphere_endpoint must not be empty."
  }
}

variable "vsphere_username" {
  type        = string
  description = "The username to login to the vCenter Server instance."
  sensitive   = true
}

variable "vsphere_password" {
  type        = string
  description = "The password for the login to the vCenter Server instance."
  sensitive   = true
}

variable "vsphere_insecure_connection" {
  type        = bool
  description = "Do not validate vCenter Server TLS certificate."
  default     = true
}

variable "vsphere_datacenter" {
  type        = string
  description = "The name of the target vSphere datacenter."
}

variable "vsphere_cluster" {
  type        = string
  description = "The name of the target vSphere cluster."
  default     = ""
}

variable "vsphere_host" {
  type        = string
  description = "The name of the target ESXi host."
  default     = ""
}

variable "vsphere_datastore" {
  type        = string
  description = "The name of the target vSphere datastore."
}

variable "vsphere_network" {
  type        = string
  description = "The name of the target vSphere network segment."
}

variable "vsphere_folder" {
  type        = string
  description = "The name of the target vSphere folder."
  default     = "templates/linux"
}

variable "vsphere_resource_pool" {
  type        = string
  description = "The name of the target vSphere resource pool."
  default     = ""
}

variable "vsphere_set_host_for_datastore_uploads" {
  type        = bool
  description = "Set this to true if packer should use the host for uploading files to the datastore."
  default     = false
}

variable "vm_cpu_count" {
  type        = number
  description = "The number of virtual CPUs."
  default     = 2

  validation {
    condition     = var.vm_cpu_count >= 1 && var.vm_cpu_count <= 64
    error_message = "The vm_cpu_count must be between 1 and 64."
  }
}

variable "vm_cpu_cores" {
  type        = number
  description = "The number of virtual CPUs cores per socket."
  default     = 1
}

variable "vm_cpu_hot_add" {
  type        = bool
  description = "Enable hot add CPU."
  default     = false
}

variable "vm_mem_size" {
  type        = number
  description = "The size for the virtual memory in MB."
  default     = 4096

  validation {
    condition     = var.vm_mem_size % 1024 == 0
    error_message = "The vm_mem_size must be a multiple of 1024."
  }
}

variable "vm_mem_hot_add" {
  type        = bool
  description = "Enable hot add memory."
  default     = false
}

variable "vm_disk_size" {
  type        = number
  description = "The size for the virtual disk in MB."
  default     = 40960
}

variable "vm_disk_controller_type" {
  type        = list(string)
  description = "The virtual disk controller types in sequence."
  default     = ["pvscsi"]
}

variable "vm_disk_thin_provisioned" {
  type        = bool
  description = "Thin provision the virtual disk."
  default     = true
}

variable "vm_network_card" {
  type        = string
  description = "The virtual network card type."
  default     = "vmxnet3"
}

variable "vm_firmware" {
  type        = string
  description = "The virtual machine firmware."
  default     = "efi-secure"

  validation {
    condition     = contains(["bios", "efi", "efi-secure"], var.vm_firmware)
    error_message = "The vm_firmware must be one of bios, efi or efi-secure."
  }
}

variable "vm_cdrom_type" {
  type        = string
  description = "The virtual machine CD-ROM type."
  default     = "sata"
}

variable "vm_cdrom_count" {
  type        = number
  description = "The number of virtual CD-ROMs remaining after the build."
  default     = 1
}

variable "common_vm_version" {
  type        = number
  description = "The vSphere virtual hardware version."
  default     = 19
}

variable "common_tools_upgrade_policy" {
  type        = bool
  description = "Upgrade VMware Tools on reboot."
  default     = true
}

variable "common_remove_cdrom" {
  type        = bool
  description = "Remove the virtual CD-ROM(s)."
  default     = true
}

variable "common_template_conversion" {
  type        = bool
  description = "Convert the virtual machine to template."
  default     = false
}

variable "common_content_library_enabled" {
  type        = bool
  description = "Import the virtual machine into the content library."
  default     = true
}

variable "common_content_library" {
  type        = string
  description = "The name of the target content library."
  default     = "sfo-w01-lib01"
}

variable "common_content_library_ovf" {
  type        = bool
  description = "Export to content library as an OVF template."
  default     = true
}

variable "common_content_library_destroy" {
  type        = bool
  description = "Delete the virtual machine after exporting."
  default     = true
}

variable "common_content_library_skip_export" {
  type        = bool
  description = "Skip exporting the virtual machine to the content library."
  default     = false
}

variable "common_ovf_export_enabled" {
  type        = bool
  description = "Enable OVF artifact export."
  default     = false
}

variable "common_ovf_export_overwrite" {
  type        = bool
  description = "Overwrite existing OVF artifact."
  default     = true
}

variable "common_ovf_export_path" {
  type        = string
  description = "Folder path for the OVF export."
  default     = ""
}

variable "common_iso_datastore" {
  type        = string
  description = "The name of the source vSphere datastore for ISO images."
}

variable "common_iso_content_library" {
  type        = string
  description = "The name of the content library that holds the ISO images."
  default     = ""
}

variable "common_data_source" {
  type        = string
  description = "The provisioning data source."
  default     = "http"

  validation {
    condition     = contains(["http", "disk"], var.common_data_source)
    error_message = "The common_data_source must be http or disk."
  }
}

variable "common_http_ip" {
  type        = string
  description = "Define an IP address on the host to use for the HTTP server."
  default     = null
}

variable "common_http_port_min" {
  type        = number
  description = "The start of the HTTP port range."
  default     = 8000
}

variable "common_http_port_max" {
  type        = number
  description = "The end of the HTTP port range."
  default     = 8099
}

variable "common_ip_wait_timeout" {
  type        = string
  description = "Time to wait for guest operating system IP address response."
  default     = "20m"
}

variable "common_ip_settle_timeout" {
  type        = string
  description = "Time to wait for guest operating system IP to settle down."
  default     = "5s"
}

variable "common_shutdown_timeout" {
  type        = string
  description = "Time to wait for guest operating system shutdown."
  default     = "15m"
}

variable "common_hcp_packer_registry_enabled" {
  type        = bool
  description = "Enable the HCP Packer registry."
  default     = false
}

variable "build_username" {
  type        = string
  description = "The username to login to the guest operating system."
  sensitive   = true
}

variable "build_password" {
  type        = string
  description = "The password to login to the guest operating system."
  sensitive   = true
}

variable "build_password_encrypted" {
  type        = string
  description = "The SHA-512 encrypted password for the build user."
  sensitive   = true
}

variable "build_key" {
  type        = string
  description = "The public key to login to the guest operating system."
  sensitive   = true
}

variable "communicator_port" {
  type        = number
  description = "The port for the communicator protocol."
  default     = 22
}

variable "communicator_timeout" {
  type        = string
  description = "The timeout for the communicator protocol."
  default     = "30m"
}

variable "communicator_proxy_host" {
  type        = string
  description = "The proxy server to use for SSH connection."
  default     = null
}

variable "ansible_username" {
  type        = string
  description = "The username for Ansible to login to the guest operating system."
  default     = "ansible"
  sensitive   = true
}

variable "ansible_key" {
  type        = string
  description = "The public key for Ansible to login to the guest operating system."
  sensitive   = true
}

variable "vm_network" {
  type = object({
    device  = string
    ip      = optional(string)
    netmask = optional(string)
    gateway = optional(string)
    dns     = optional(list(string), [])
  })
  description = "The guest network configuration; leave ip unset for DHCP."
  default = {
    device = "ens192"
  }
}

variable "vm_disk_partitions" {
  type = list(object({
    name = string
    size = number
    format = object({
      label  = string
      fstype = string
    })
    mount = object({
      path    = string
      options = string
    })
    volume_group = string
  }))
  description = "The disk partitions for the guest operating system."
  default     = []
}

variable "additional_packages" {
  type        = list(string)
  description = "Additional packages to install."
  default     = ["git", "make", "vim"]
}
