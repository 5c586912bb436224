using System.CommandLine;
using Netstack.Cli.Output;
using Netstack.Cli.Parsing;

namespace Netstack.Cli.Commands.Images;

/// <summary><c>image import FILE NAME[:TAG]</c>, <c>image ls</c>, <c>image rm NAME...</c>.</summary>
internal static class ImageCommand
{
    internal static readonly Argument<string> File = new("FILE") { Description = "Root filesystem tarball, or - for stdin" };
    internal static readonly Argument<string> Reference = new("NAME[:TAG]");
    internal static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Only display image ids" };
    internal static readonly Option<bool> Force = new("--force", "-f") { Description = "Remove even when containers use it" };
    internal static readonly Argument<string[]> Names = new("IMAGE") { Arity = ArgumentArity.OneOrMore };

    public static Command Build(CliContext context) => new("image", "Manage images")
    {
        BuildImport(context),
        BuildList(context),
        BuildRemove(context),
    };

    private static Command BuildImport(CliContext context)
    {
        var command = new Command("import", "Import a root filesystem tarball as an image") { File, Reference };
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var (repository, tag) = ImageReference.Parse(parse.GetRequiredValue(Reference));
            var path = parse.GetRequiredValue(File);
            var stream = path == "-" ? Console.OpenStandardInput() : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                var id = await client.ImportImageAsync(stream, repository, tag, ct).ConfigureAwait(false);
                await parse.InvocationConfiguration.Output.WriteLineAsync(id).ConfigureAwait(false);
            }
            return 0;
        });
        return command;
    }

    private static Command BuildList(CliContext context)
    {
        var command = new Command("ls", "List images") { Quiet };
        command.Aliases.Add("list");
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var images = await client.ListImagesAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(Quiet))
            {
                foreach (var image in images)
                {
                    await output.WriteLineAsync(ShortId.Of(image.Id.Replace("sha256:", "", StringComparison.Ordinal))).ConfigureAwait(false);
                }
                return 0;
            }
            var now = DateTimeOffset.UtcNow;
            var table = new TableWriter("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
            foreach (var image in images)
            {
                var id = ShortId.Of(image.Id.Replace("sha256:", "", StringComparison.Ordinal));
                var created = HumanTime.Ago(DateTimeOffset.FromUnixTimeSeconds(image.Created), now);
                var tags = image.RepoTags.Count == 0 ? ["<none>:<none>"] : image.RepoTags;
                foreach (var reference in tags)
                {
                    var colon = reference.LastIndexOf(':');
                    table.Add(colon < 0 ? reference : reference[..colon], colon < 0 ? "<none>" : reference[(colon + 1)..], id, created, HumanTime.Size(image.Size));
                }
            }
            table.WriteTo(output);
            return 0;
        });
        return command;
    }

    private static Command BuildRemove(CliContext context)
    {
        var command = new Command("rm", "Remove one or more images") { Force, Names };
        command.Aliases.Add("remove");
        CommandAction.Set(command, context, (parse, client, ct) =>
            CommandAction.ForEachAsync(parse, parse.GetRequiredValue(Names), name => client.RemoveImageAsync(name, parse.GetValue(Force), ct)));
        return command;
    }
}
