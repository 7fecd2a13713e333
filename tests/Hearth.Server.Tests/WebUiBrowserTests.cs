using PuppeteerSharp;

namespace Hearth.Server.Tests;

/// <summary>
/// The web chat page in a real browser: the system's headless chromium (Debian's <c>chromium</c> package, which CI
/// installs; nothing is downloaded) against the real server on 127.0.0.1. Screenshots go to <c>artifacts/</c> beside
/// the test binary.
/// </summary>
public sealed class WebUiBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    private const string ThinkingTemplate = """
        {%- for m in messages %}<|im_start|>{{ m.role }}
        {{ m.content }}<|im_end|>
        {% endfor %}{%- if add_generation_prompt %}<|im_start|>assistant
        <think>
        {% endif %}
        """;

    private static string Artifact(string name)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }

    private static Task<IBrowser> LaunchAsync()
    {
        Skip.IfNot(File.Exists(Chromium), $"No system browser at {Chromium}: install Debian's chromium package (apt-get install chromium) to run the web page tests.");
        return Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-dev-shm-usage"],
            Timeout = 60_000,
        });
    }

    private static async Task<IPage> OpenAsync(IBrowser browser, HearthServer server)
    {
        var page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1000, Height = 700 });
        await page.GoToAsync(server.BaseAddress.ToString());
        return page;
    }

    private static Task<string> TextAsync(IPage page, string selector) =>
        page.EvaluateFunctionAsync<string>("s => { const e = document.querySelector(s); return e ? e.textContent : ''; }", selector);

    private static Task<bool> DisabledAsync(IPage page, string selector) =>
        page.EvaluateFunctionAsync<bool>("s => document.querySelector(s).disabled", selector);

    private static async Task UntilAsync(Func<Task<bool>> condition, string what, int seconds = 60)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail($"Timed out after {seconds} s waiting for: {what}");
            await Task.Delay(20);
        }
    }

    [SkippableFact]
    public async Task A_reply_streams_into_the_page_and_stop_ends_it()
    {
        await using var server = await Servers.StartAsync(new HearthServerOptions
        {
            ModelPath = Servers.ModelPath, Port = 0, Parallel = 1, ContextSize = 256, StepDelay = TimeSpan.FromMilliseconds(40),
        });
        await using var browser = await LaunchAsync();
        var page = await OpenAsync(browser, server);
        await page.WaitForSelectorAsync("#model option");
        Assert.Equal(Servers.ModelId, await page.EvaluateExpressionAsync<string>("document.querySelector('#model').value"));
        Assert.True(await DisabledAsync(page, "#stop"));

        await page.TypeAsync("#input", "Tell me a story about a cat.");
        await page.ClickAsync("#send");
        Assert.Equal("Tell me a story about a cat.", await TextAsync(page, ".msg.user"));

        // The reply's text grows while it streams: seen at three different lengths.
        var lengths = new List<int>();
        await UntilAsync(async () =>
        {
            int n = (await TextAsync(page, ".msg.assistant .content")).Length;
            if (n > 0 && (lengths.Count == 0 || n > lengths[^1])) lengths.Add(n);
            return lengths.Count >= 3;
        }, "the streamed reply to grow");
        Assert.False(await DisabledAsync(page, "#stop"), "the reply ended before Stop could be pressed");
        Assert.True(await DisabledAsync(page, "#send"));

        await page.ClickAsync("#stop");
        await UntilAsync(() => DisabledAsync(page, "#stop"), "the Stop button to be disabled again", 10);
        Assert.False(await DisabledAsync(page, "#send"));
        Assert.Equal("Stopped.", await TextAsync(page, ".msg.assistant .note"));
        string stopped = await TextAsync(page, ".msg.assistant .content");
        await Task.Delay(400); // ten steps' time: nothing more arrives
        Assert.Equal(stopped, await TextAsync(page, ".msg.assistant .content"));

        string shot = Artifact("webui.png");
        await page.ScreenshotAsync(shot);
        Assert.True(new FileInfo(shot).Length > 0);

        // The conversation is kept in the browser: a reload shows it again; New chat clears it.
        await page.ReloadAsync();
        await page.WaitForSelectorAsync(".msg.assistant");
        Assert.Equal(stopped, await TextAsync(page, ".msg.assistant .content"));
        await page.ClickAsync("#new");
        Assert.Equal(0, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('.msg').length"));
    }

    [SkippableFact]
    public async Task The_models_reasoning_is_shown_collapsed()
    {
        string template = Path.Combine(Path.GetTempPath(), $"hearth-think-{Guid.NewGuid():N}.jinja");
        await File.WriteAllTextAsync(template, ThinkingTemplate);
        try
        {
            await using var server = await Servers.StartAsync(new HearthServerOptions
            {
                ModelPath = Servers.ModelPath, Port = 0, Parallel = 1, ContextSize = 128, ChatTemplateFile = template,
            });
            await using var browser = await LaunchAsync();
            var page = await OpenAsync(browser, server);
            await page.WaitForSelectorAsync("#model option");
            await page.TypeAsync("#input", "Think about a cat.");
            await page.Keyboard.PressAsync("Enter");
            await page.WaitForSelectorAsync(".msg.assistant details.reasoning");
            await UntilAsync(async () => !await DisabledAsync(page, "#send"), "the reply to end");
            // stories260K never closes the <think> block: the whole reply is reasoning, shown collapsed.
            Assert.False(await page.EvaluateExpressionAsync<bool>("document.querySelector('details.reasoning').open"));
            Assert.Equal("Reasoning", await TextAsync(page, "details.reasoning summary"));
            Assert.NotEmpty((await TextAsync(page, "details.reasoning .text")).Trim());
            await page.ClickAsync("details.reasoning summary");
            Assert.True(await page.EvaluateExpressionAsync<bool>("document.querySelector('details.reasoning').open"));
            string shot = Artifact("webui-reasoning.png");
            await page.ScreenshotAsync(shot);
            Assert.True(new FileInfo(shot).Length > 0);
        }
        finally
        {
            File.Delete(template);
        }
    }

    [SkippableFact]
    public async Task The_page_asks_for_the_api_key_and_keeps_it()
    {
        await using var server = await Servers.StartAsync(new HearthServerOptions { ModelPath = Servers.ModelPath, Port = 0, Parallel = 1, ContextSize = 64, ApiKey = "secret" });
        await using var browser = await LaunchAsync();
        var page = await OpenAsync(browser, server);
        await page.WaitForSelectorAsync("#keybox.shown");
        Assert.Equal(0, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#model option').length"));
        await page.TypeAsync("#key", "secret");
        await page.ClickAsync("#savekey");
        await page.WaitForSelectorAsync("#model option");
        Assert.False(await page.EvaluateExpressionAsync<bool>("document.querySelector('#keybox').classList.contains('shown')"));
        Assert.Equal("secret", await page.EvaluateExpressionAsync<string>("localStorage.getItem('hearth.apiKey')"));
        // Kept: a reload lists the models straight away.
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#model option");
    }

    [SkippableFact]
    public async Task Markdown_is_rendered_after_escaping_html()
    {
        await using var server = await Servers.StartAsync(new HearthServerOptions { ModelPath = Servers.ModelPath, Port = 0, Parallel = 1, ContextSize = 64 });
        await using var browser = await LaunchAsync();
        var page = await OpenAsync(browser, server);
        Task<string> Render(string md) => page.EvaluateFunctionAsync<string>("s => markdown(s)", md);
        Assert.Equal("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; <strong>bold</strong> <em>it</em> <code>&lt;b&gt;</code></p>",
            await Render("<script>alert(1)</script> & **bold** *it* `<b>`"));
        Assert.Equal("<pre><code class=\"language-cs\">if (a &lt; b) { x = &quot;**y**&quot;; }</code></pre>",
            await Render("```cs\nif (a < b) { x = \"**y**\"; }\n```"));
        Assert.Equal("<p>One</p><ul><li>a</li><li>b <em>c</em></li></ul><ol><li>x</li></ol><p>Two<br>lines</p>",
            await Render("One\n\n- a\n- b _c_\n1. x\n\nTwo\nlines"));
        // No attribute can be smuggled in: quotes are escaped and links are not made.
        Assert.Equal("<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; [a](javascript:alert(1))</p>",
            await Render("<img src=x onerror=\"alert(1)\"> [a](javascript:alert(1))"));
        // A fence still open (the reply is streaming) renders as code so far.
        Assert.Equal("<pre><code>partial</code></pre>", await Render("```\npartial"));
    }
}
