location = "westeurope"
peer_asn = 65010 # WARNING: Value for undeclared variable
