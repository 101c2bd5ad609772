import os, uuid, pytest, aiohttp, asyncio
from tests.bench.bench_profiles import profiles_process, measure, PROFILE, CLIENTS, database_server_pid
from tests.support import token

@pytest.mark.bench
async def test_tmp(infra):
    settings = infra.settings("profiles", database=f"profiles_bench_{uuid.uuid4().hex[:8]}")
    async with profiles_process(settings) as (url, service_pid), aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CLIENTS)) as http:
        subs = [f"bench-{uuid.uuid4().hex[:8]}" for _ in range(CLIENTS)]
        headers = [{"Authorization": f"Bearer {token(sub)}", "Content-Type": "application/merge-patch+json"} for sub in subs]
        ids = []
        for sub in subs:
            async with http.post(f"{url}/v1/therapists", json=PROFILE, headers={"Authorization": f"Bearer {token(sub)}"}) as response:
                ids.append((await response.json())["id"])
        async def patch_over_http(worker, n):
            body = f'{{"pronouns": "they/them {n}", "money": {{"slidingScale": {{"minUsd": {n % 60}}}}}}}'
            async with http.patch(f"{url}/v1/therapists/{ids[worker]}", data=body, headers=headers[worker]) as response:
                assert response.status == 200
                await response.read()
        procs = {"service": service_pid, "database": database_server_pid(settings.mongodb_uri)}
        open("/tmp/pids", "w").write(f"{procs['database']} {service_pid}\n")
        for k in range(int(os.environ.get("N", "2"))):
            print((await measure(f"http {k}", patch_over_http, procs)).line(), flush=True)
