/* Debugging template.
 *
 * Same shape as the production Ubuntu build, but stuffed with breakpoints
 * and error-cleanup steps for when a provisioner misbehaves. Run with
 * `packer build -on-error=ask -var debug=true debug-breakpoints.pkr.hcl`.
 */

variable "debug" {
  type    = bool
  default = false
}

variable "keep_instance" {
  type        = bool
  default     = false
  description = "Leave the build instance running after a failure for SSH debugging."
}

variable "region" {
  type    = string
  default = "eu-north-1"
}

variable "steps" {
  type = list(object({
    name    = string
    script  = string
    retries = optional(number, 0)
    timeout = optional(string, "10m")
  }))
  default = [
    { name = "packages", script = "scripts/packages.sh", retries = 2 },
    { name = "users", script = "scripts/users.sh" },
    { name = "services", script = "scripts/services.sh", timeout = "20m" },
  ]
}

locals {
  log_dir              = "${path.root}/logs/${formatdate("YYYY-MM-DD_hh-mm", timestamp())}"
  breakpoints_disabled = !var.debug
  step_names           = join(" -> ", [for s in var.steps : s.name])
}

source "amazon-ebs" "debug" {
  region          = var.region
  instance_type   = "t3.micro"
  ssh_username    = "ubuntu"
  ami_name        = "debug-${uuidv4()}"
  skip_create_ami = true
  source_ami_filter {
    filters = {
      name                = "ubuntu/images/*ubuntu-noble-24.04-amd64-server-*"
      root-device-type    = "ebs"
      virtualization-type = "hvm"
    }
    owners      = ["099720109477"]
    most_recent = true
  }
  shutdown_behavior = var.keep_instance ? "stop" : "terminate"
}

source "docker" "debug" {
  image   = "ubuntu:24.04"
  discard = true
}

build {
  sources = [
    "source.amazon-ebs.debug",
    "source.docker.debug",
  ]

  provisioner "shell-local" {
    inline = ["mkdir -p ${local.log_dir}", "echo 'steps: ${local.step_names}' > ${local.log_dir}/plan.txt"]
  }

  provisioner "breakpoint" {
    disable = local.breakpoints_disabled
    note    = "Instance is up; SSH in and look around before provisioning starts."
  }

  provisioner "shell" {
    script      = "${path.root}/${var.steps[0].script}"
    max_retries = var.steps[0].retries
    timeout     = var.steps[0].timeout
  }

  provisioner "breakpoint" {
    disable = local.breakpoints_disabled
    note    = "After step ${var.steps[0].name}"
    only    = ["amazon-ebs.debug"]
  }

  provisioner "shell" {
    script      = "${path.root}/${var.steps[1].script}"
    max_retries = var.steps[1].retries
    timeout     = var.steps[1].timeout
  }

  provisioner "breakpoint" {
    disable = local.breakpoints_disabled
    note    = "After step ${var.steps[1].name}"
  }

  provisioner "shell" {
    script       = "${path.root}/${var.steps[2].script}"
    max_retries  = var.steps[2].retries
    timeout      = var.steps[2].timeout
    pause_before = "5s"
  }

  provisioner "file" {
    direction   = "download"
    source      = "/var/log/cloud-init-output.log"
    destination = "${local.log_dir}/"
    except      = ["docker.debug"]
  }

  provisioner "breakpoint" {
    note    = "Final breakpoint: the build is about to finish."
    disable = local.breakpoints_disabled
  }

  error-cleanup-provisioner "shell-local" {
    inline = [
      "echo 'Build failed; collecting diagnostics into ${local.log_dir}'",
      "packer version > ${local.log_dir}/packer-version.txt",
    ]
  }

  post-processor "shell-local" {
    inline = ["echo 'debug build done: logs in ${local.log_dir}'"]
  }
}
