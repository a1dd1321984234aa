// Int8 module.
