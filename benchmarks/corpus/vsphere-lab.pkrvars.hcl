/*
    DESCRIPTION:
    VMware vSphere variables for the lab environment.
    Sensitive values are supplied through PKR_VAR_* environment variables.
*/

// vSphere Credentials
vsphere_endpoint            = "sfo-w01-vc01.lab.example.com"
vsphere_username            = "svc-packer-vsphere@lab.example.com"
vsphere_insecure_connection = true

// vSphere Settings
vsphere_datacenter                     = "sfo-w01-dc01"
vsphere_cluster                        = "sfo-w01-cl01"
vsphere_host                           = ""
vsphere_datastore                      = "sfo-w01-cl01-ds-vsan01"
vsphere_network                        = "sfo-w01-seg-dhcp"
vsphere_folder                         = "sfo-w01-fd-templates"
vsphere_resource_pool                  = ""
vsphere_set_host_for_datastore_uploads = false

// Virtual Machine Settings
vm_cpu_count             = 2
vm_cpu_cores             = 1
vm_cpu_hot_add           = false
vm_mem_size              = 4096
vm_mem_hot_add           = false
vm_disk_size             = 40960
vm_disk_controller_type  = ["pvscsi"]
vm_disk_thin_provisioned = true
vm_network_card          = "vmxnet3"
vm_firmware              = "efi-secure"
vm_cdrom_type            = "sata"
vm_cdrom_count           = 1

// Virtual Machine Network
vm_network = {
  device  = "ens192"
  ip      = "172.16.11.100"
  netmask = "24"
  gateway = "172.16.11.1"
  dns     = ["172.16.11.4", "172.16.11.5"]
}

// Virtual Machine Partitions (EFI, boot, LVM)
vm_disk_partitions = [
  {
    name = "efi"
    size = 1024
    format = {
      label  = "EFIFS"
      fstype = "fat32"
    }
    mount = {
      path    = "/boot/efi"
      options = ""
    }
    volume_group = ""
  },
  {
    name = "boot"
    size = 1024
    format = {
      label  = "BOOTFS"
      fstype = "xfs"
    }
    mount = {
      path    = "/boot"
      options = ""
    }
    volume_group = ""
  },
  {
    name = "sysvg"
    size = -1
    format = {
      label  = ""
      fstype = ""
    }
    mount = {
      path    = ""
      options = ""
    }
    volume_group = "sysvg"
  },
]

// Common Settings
common_vm_version                  = 20
common_tools_upgrade_policy        = true
common_remove_cdrom                = true
common_template_conversion         = false
common_content_library_enabled     = true
common_content_library             = "sfo-w01-lib01"
common_content_library_ovf         = true
common_content_library_destroy     = true
common_content_library_skip_export = false
common_ovf_export_enabled          = false
common_ovf_export_overwrite        = true
common_ovf_export_path             = ""

// Removable Media Settings
common_iso_datastore       = "sfo-w01-cl01-ds-nfs01"
common_iso_content_library = ""

// Boot and Provisioning Settings
common_data_source       = "http"
common_http_ip           = null
common_http_port_min     = 8000
common_http_port_max     = 8099
common_ip_wait_timeout   = "20m"
common_ip_settle_timeout = "5s"
common_shutdown_timeout  = "15m"

// HCP Packer
common_hcp_packer_registry_enabled = false

// Communicator
communicator_port       = 22
communicator_timeout    = "30m"
communicator_proxy_host = null

// Guest packages
additional_packages = [
  "git",
  "make",
  "vim",
  "tmux",
  "jq",
  "open-vm-tools",
  "chrony",
  "rsyslog",
]
