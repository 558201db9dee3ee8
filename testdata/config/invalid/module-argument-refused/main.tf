# A module refuses a value: the error points at the calling argument, where the value was written,
# not at the variable inside the module.
module "ams" {
  source    = "./modules/circuit"
  bandwidth = "fast" # ERROR: Invalid value for input variable
}

module "lon" {
  source    = "./modules/circuit"
  bandwidth = 10 # ERROR: Invalid value for variable
}
