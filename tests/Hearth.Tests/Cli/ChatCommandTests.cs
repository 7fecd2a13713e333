using System.Text.Json;
using Hearth.Chat;

namespace Hearth.Tests.Cli;

public class ChatCommandTests
{
    [Fact]
    public void First_reply_equals_greedy_run_on_the_rendered_template_and_a_second_turn_works()
    {
        var chat = CliRunner.Run(TimeSpan.FromSeconds(120), "Tell me a story.\nAnd then?\n", "chat", "-n", "12", "--temp", "0", "-t", "1");
        Assert.True(chat.ExitCode == 0, chat.StdErr);
        string[] replies = chat.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(replies.Length >= 2, chat.StdOut);

        // stories260K has no chat template: the documented fallback is ChatML.
        string prompt = ChatTemplate.Default.Render(new ChatTemplateContext { Messages = [ChatTemplateMessage.User("Tell me a story.")] });
        var run = CliRunner.Run("run", "-p", prompt, "-n", "12", "--temp", "0", "--json", "-t", "1");
        Assert.True(run.ExitCode == 0, run.StdErr);
        string text = JsonDocument.Parse(run.StdOut).RootElement.GetProperty("text").GetString()!;
        Assert.StartsWith(text.Split('\n')[0], chat.StdOut);
    }
}
