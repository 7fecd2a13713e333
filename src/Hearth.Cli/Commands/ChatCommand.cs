using System.CommandLine;

namespace Hearth.Cli.Commands;

/// <summary><c>hearth chat</c>.</summary>
internal static class ChatCommand
{
    public static Command Create()
    {
        var cmd = new Command("chat", "Interactive chat with a model. (not implemented yet)");
        cmd.SetAction(_ =>
        {
            Console.Error.WriteLine("error: 'hearth chat' is not implemented yet.");
            return 2;
        });
        return cmd;
    }
}
