locals {
  # Names and tags.
  name_prefix = "bake-${var.environment}"
  common_tags = merge(var.labels, {
    Environment = var.environment
    ManagedBy   = "packer"
  })

  regions       = [for r in var.ami_regions : upper(r) if r != ""]
  region_index  = { for i, r in var.ami_regions : r => i }
  grouped       = { for r in var.ami_regions : substr(r, 0, 2) => r... }
  first_region  = length(var.ami_regions) > 0 ? var.ami_regions[0] : "us-east-1"
  no_regions    = !(length(var.ami_regions) > 0)
  negated       = -var.retries
  difference    = var.disk.size - 2
  scaled        = -(var.disk.size * 2) + -1
  all_ids       = data.amazon-ami.ubuntu[*].id
  legacy_ids    = data.amazon-ami.ubuntu.*.id
  flat_args     = concat(["--verbose"], var.extra_args...)
  min_size      = min(var.sizes...)
  nested_access = var.settings["network"].subnets[0]
  template      = templatefile("${path.root}/files/user-data.tpl", { hostname = local.name_prefix })
  object_tuple  = [{ a = 1 }, { b = 2 }]
  empty_object  = {}
  empty_tuple   = []
  namespaced    = provider::bake::checksum(local.name_prefix)
  conditional = (
    var.environment == "prod"
    ? "m5.large"
    : "t3.micro"
  )
}

locals {
  single = "one" // a trailing comment
  pair   = "two" /* a block comment */
}
