print("minnow-engine")
