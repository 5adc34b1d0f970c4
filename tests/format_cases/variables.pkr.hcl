variable "environment" {
  type        = string
  default     = "dev"
  description = "Deployment environment."

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "The environment must be one of dev, staging or prod."
  }
}

variable "ami_regions" {
  type    = list(string)
  default = []

  validation {
    condition     = length(var.ami_regions) <= 5 && alltrue([for r in var.ami_regions : can(regex("^[a-z]{2}-[a-z]+-[0-9]$", r))])
    error_message = "At most five regions, each like \"us-east-1\"."
  }
}

variable "disk" {
  type = object({
    size = number
    type = string
    iops = optional(number, 3000)
  })
  default = {
    size = 40
    type = "gp3"
  }

  validation {
    condition     = var.disk.size >= 8 && var.disk.size % 2 == 0
    error_message = "The disk size must be an even number of GiB, at least 8."
  }
}

variable "admin_password" {
  type      = string
  sensitive = true
  default   = null
}

variable "retries" {
  type    = number
  default = -1

  validation {
    condition     = var.retries == -1 || (var.retries >= 0 && var.retries < 10)
    error_message = "Use -1 for unlimited retries, or fewer than ten."
  }
}

variable "labels" {
  type = map(string)
  default = {
    team    = "platform"
    project = "bake"
  }
}
