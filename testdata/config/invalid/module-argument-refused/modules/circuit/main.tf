variable "bandwidth" {
  type        = number
  description = "Circuit bandwidth in Mbps."

  validation {
    condition     = var.bandwidth >= 50
    error_message = "ExpressRoute circuits start at 50 Mbps."
  }
}

output "bandwidth" {
  value = var.bandwidth
}
