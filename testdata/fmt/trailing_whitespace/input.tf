locals {   
  a = 1   
  # comment with trailing space   
  b = "x"	
}  
