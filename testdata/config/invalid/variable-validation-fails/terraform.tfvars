bandwidth_in_mbps = 750 # ERROR: Invalid value for variable
