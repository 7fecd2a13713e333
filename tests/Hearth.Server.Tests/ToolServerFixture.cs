namespace Hearth.Server.Tests;

/// <summary>
/// A real server for tool-calling tests: like <see cref="ServerFixture"/> with more context, because the default
/// template lists the tools in the system message and stories260K tokenizes nearly per character.
/// </summary>
public sealed class ToolServerFixture : IAsyncLifetime
{
    public HearthServer Server { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await Servers.StartAsync(new HearthServerOptions { ModelPath = Servers.ModelPath, Port = 0, Parallel = 2, ContextSize = 1024 });
        Http = Servers.Client(Server);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
