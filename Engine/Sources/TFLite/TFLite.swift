// TFLite module.
