# Copied from the provider's form.
peer_asn = "AS65010" # ERROR: Invalid value for input variable
