-- wrk script: POST one image file with its headers. Set IMAGE and KEY in the environment.
local file = io.open(os.getenv("IMAGE"), "rb")
wrk.method = "POST"
wrk.body = file:read("*all")
file:close()
wrk.headers["Content-Type"] = "image/png"
wrk.headers["Prediction-Key"] = os.getenv("KEY") or ""
