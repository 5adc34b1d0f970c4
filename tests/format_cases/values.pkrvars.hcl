# Values for a production build.
environment   = "prod"
ami_regions   = ["us-east-1", "eu-west-1"] # replicated
instance_type = "m5.large"                 # bigger for prod
retries       = 3

disk = {
  size = 100
  type = "io2"
  iops = 6000
}

labels = {
  team    = "platform"
  project = "bake"
  cost    = "shared" // billed to the platform team
}
