def test_home_shows_the_welcome_page_to_visitors(client, network):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Eastside Solidarity Network" in response.content
