-- GET of wrk's URL with the bearer token of $TOKEN.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
