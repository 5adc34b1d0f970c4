# Local workstation settings for the qemu-*.pkr.hcl templates.
# Every value here overrides a default declared in the template itself.
# Copy to qemu-local.auto.pkrvars.hcl and adjust; that name is git-ignored.

accelerator = "kvm"
headless    = true
cpus        = 4
memory      = 4096
disk_size   = "20G"
output_dir  = "/var/lib/packer/output"

firmware  = "uefi"
ovmf_code = "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
ovmf_vars = "/usr/share/OVMF/OVMF_VARS_4M.ms.fd"

# Use the local apt-cacher-ng / squid mirror to keep rebuilds fast.
mirror = "mirror.lan:3142"

locale = {
  language = "en"
  country  = "GB"
  keymap   = "gb"
  timezone = "Europe/London"
}

extra_packages = [
  "qemu-guest-agent",
  "cloud-init",
  "cloud-guest-utils",
  "curl",
  "sudo",
  "openssh-server",
  "python3",
  "rsync",
  "htop",
]

# Build account created by the answer files. The password is only used
# during the build and is locked by the cleanup scripts.
ssh_username = "builder"
ssh_password = "builder"

# Hyper-V sizing (hyperv-ubuntu-gen2.pkr.hcl)
// cpus   = 2
// memory = 2048

// macOS hosts: use hvf and disable UEFI
// accelerator = "hvf"
// firmware    = "bios"

/*
 Windows hosts with WHPX:
   accelerator = "whpx"
   cpus        = 2
*/

# ISO overrides: pin a point release instead of "current" so checksums
# stay stable in CI caches.
iso_url      = "https://cdimage.debian.org/cdimage/archive/12.6.0/amd64/iso-cd/debian-12.6.0-amd64-netinst.iso"
iso_checksum = "sha256:ade3a4acc465f59ca2496344aab72455945f3277a52afc5a2cae88cdc370fa12"

# ---------------------------------------------------------------------------
# VirtualBox / Hyper-V templates read these too.
# ---------------------------------------------------------------------------

box_version       = "2024.7.1"
vagrant_cloud_org = "example"
vrde              = false

switch_name    = "Packer External"
vlan_id        = ""
vm_name        = "ubuntu-2204-gen2"
storage_layout = "lvm"
username       = "ubuntu"
password       = "ubuntu"

ssh_authorized_keys = [
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wjqDjqHjL2S5kRyEXAMPLE builder@lan",
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB3cRx1Nn8J0m1wq5dQv3K0eYExAMPLEKEY0000000000 ci@lan",
]

snaps = [
  {
    name    = "powershell"
    classic = true
  },
  {
    name = "yq"
  },
  {
    name    = "lxd"
    channel = "5.21/stable"
  },
]

# Hyper-V Ubuntu ISO; the hyperv template takes url and checksum together.
iso = {
  url      = "https://releases.ubuntu.com/22.04/ubuntu-22.04.4-live-server-amd64.iso"
  checksum = "sha256:45f873de9f8cb637345d6e66a583762730bbea30277ef7b32c9c3bd6700a32b2"
}
