variable "ipsec_shared_key" {
  description = "Pre-shared key of the IPsec tunnel to the Amsterdam data centre. Set it with TF_VAR_ipsec_shared_key or a tfvars file kept out of git; terraform.tfvars here holds a placeholder so the example plans as it is."
  type        = string
  sensitive   = true
}
