-- One-host submits: POST /api/v1/jobs for host $HOST, pid 1, node 0 -> 1.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("OPERATOR")
wrk.body = '{"targets": [{"hosts": ["' .. os.getenv("HOST") .. '"], "pids": [1]}], "oldNodes": [0], "newNodes": [1]}'

