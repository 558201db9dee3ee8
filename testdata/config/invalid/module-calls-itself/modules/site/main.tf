variable "name" {
  type = string
}

module "next" { # ERROR: Module calls itself
  source = "../site"

  name = "${var.name}-next"
}
