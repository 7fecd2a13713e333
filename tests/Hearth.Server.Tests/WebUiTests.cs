using System.Net;

namespace Hearth.Server.Tests;

/// <summary>The web chat page over plain HTTP: served at <c>/</c>, open without the API key, gone with <c>--no-webui</c>.</summary>
public sealed class WebUiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task The_page_is_served_at_the_root_as_html()
    {
        foreach (string path in (string[])["", "index.html"])
        {
            using var response = await fixture.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
            string html = await response.Content.ReadAsStringAsync();
            Assert.Contains("<title>Hearth chat</title>", html, StringComparison.Ordinal);
            // Everything is inline: no script or stylesheet from anywhere else.
            Assert.DoesNotContain("<script src", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Without_the_web_ui_the_root_is_an_unknown_endpoint()
    {
        await using var server = await Servers.StartAsync(new HearthServerOptions { ModelPath = Servers.ModelPath, Port = 0, Parallel = 1, ContextSize = 64, WebUi = false });
        using var http = Servers.Client(server);
        foreach (string path in (string[])["", "index.html"])
        {
            using var response = await http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"GET /{path}: {response.StatusCode}");
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", $"GET /{path}: {response.Content.Headers.ContentType}");
            Assert.Equal("unknown_url", (await Servers.ErrorOf(response)).GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task With_an_api_key_the_page_loads_without_it_but_the_api_still_needs_it()
    {
        await using var server = await Servers.StartAsync(new HearthServerOptions { ModelPath = Servers.ModelPath, Port = 0, Parallel = 1, ContextSize = 64, ApiKey = "secret" });
        using var http = Servers.Client(server);
        using (var page = await http.GetAsync(""))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<title>Hearth chat</title>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var models = await http.GetAsync("v1/models")) Assert.Equal(HttpStatusCode.Unauthorized, models.StatusCode);
        // Only GET opens the page; other methods on / still need the key.
        using (var post = await http.PostAsync("", Servers.Json("{}"))) Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        using var keyed = Servers.Client(server, "secret");
        using (var models = await keyed.GetAsync("v1/models")) Assert.Equal(HttpStatusCode.OK, models.StatusCode);
    }
}
