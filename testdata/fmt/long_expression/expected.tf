locals {
  valid = var.bandwidth_in_mbps == 50 || var.bandwidth_in_mbps == 100 || var.bandwidth_in_mbps == 200 || var.bandwidth_in_mbps == 500 || var.bandwidth_in_mbps == 1000
  sum   = (var.a + var.b) * var.c / 2 - var.d % 3
}
