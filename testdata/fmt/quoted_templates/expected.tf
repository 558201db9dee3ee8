locals {
  name     = "er-${var.site}-${var.environment}"
  label    = "%{if var.primary}primary%{else}secondary%{endif}"
  list     = "%{for s in var.sites}${s},%{endfor}"
  stripped = var.a
}
