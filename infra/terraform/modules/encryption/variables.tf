variable "name" {
  description = "Name prefix of the key alias."
  type        = string
}

variable "deletion_window_days" {
  description = "Days between scheduling the key's deletion and its deletion."
  type        = number
  default     = 30
}
