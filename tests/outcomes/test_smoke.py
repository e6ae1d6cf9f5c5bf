import pytest


@pytest.mark.django_db
def test_api_smoke(client, demo):
    for url in ["/api/outcomes/measures", "/api/outcomes/measures/crime/figures", "/api/outcomes/measures/crime/figures.csv",
                "/api/outcomes/nation/dashboard", "/api/outcomes/nation/dashboard.csv", "/api/outcomes/nation/map",
                "/api/outcomes/areas/X05000002/dashboard", "/api/outcomes/areas/X05000002/dashboard.csv",
                "/api/outcomes/areas/X05000002/map?measure=crime", "/api/outcomes/measures/connectedness/figures"]:
        r = client.get(url)
        print(url, r.status_code, r.content[:300])
        assert r.status_code == 200
        r2 = client.get(url, HTTP_IF_NONE_MATCH=r["ETag"])
        assert r2.status_code == 304
