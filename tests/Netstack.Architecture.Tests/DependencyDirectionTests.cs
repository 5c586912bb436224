using System.Reflection;
using System.Xml.Linq;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Architecture.Tests;

/// <summary>
/// Enforces the dependency directions of DESIGN.md twice: on the project graph (what a csproj is
/// allowed to reference) and on the compiled assemblies (what the code actually uses).
/// </summary>
public sealed class DependencyDirectionTests
{
    // For each product assembly, the Netstack assemblies it may reference. Anything else is a
    // layering violation.
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Netstack.Linux"] = [],
        ["Netstack.Firewall"] = ["Netstack.Linux"],
        ["Netstack.Core"] = [],
        ["Netstack.Api"] = [],
        ["Netstack.Ipam"] = ["Netstack.Core"],
        ["Netstack.Store"] = ["Netstack.Core"],
        ["Netstack.Gossip"] = ["Netstack.Core"],
        ["Netstack.Dns"] = ["Netstack.Core", "Netstack.Linux"],
        ["Netstack.Runtime"] = ["Netstack.Core", "Netstack.Linux"],
        ["Netstack.Controller"] = ["Netstack.Core", "Netstack.Ipam", "Netstack.Store", "Netstack.Linux", "Netstack.Dns", "Netstack.Firewall"],
        ["Netstack.Drivers.Bridge"] = ["Netstack.Core", "Netstack.Linux", "Netstack.Firewall"],
        ["Netstack.Drivers.Macvlan"] = ["Netstack.Core", "Netstack.Linux", "Netstack.Firewall"],
        ["Netstack.Drivers.Overlay"] = ["Netstack.Core", "Netstack.Linux", "Netstack.Firewall"],
        ["Netstack.Drivers.Remote"] = ["Netstack.Core", "Netstack.Linux", "Netstack.Firewall"],
        ["Netstack.Upstream"] = [],
        ["Netstack.Capture"] = ["Netstack.Core", "Netstack.Linux", "Netstack.Dns"],
        ["Netstack.Cli"] = ["Netstack.Api"],
    };

    public static TheoryData<string> ProductProjects()
    {
        var data = new TheoryData<string>();
        foreach (var name in Allowed.Keys)
        {
            data.Add(name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ProductProjects))]
    public void ProjectReferences_StayWithinAllowedLayers(string project)
    {
        var csproj = FindProject(project);
        var refs = XDocument.Load(csproj).Descendants("ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value))
            .ToList();

        var forbidden = refs.Except(Allowed[project]).ToList();

        Assert.True(forbidden.Count == 0, $"{project} must not reference {string.Join(", ", forbidden)}");
    }

    [Theory]
    [MemberData(nameof(ProductProjects))]
    public void CompiledAssembly_UsesOnlyAllowedLayers(string project)
    {
        var assemblyName = project switch
        {
            "Netstack.Cli" => "netstack",
            _ => project,
        };
        var assembly = Assembly.Load(assemblyName);

        var used = assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Netstack.", StringComparison.Ordinal) || n is "netstackd" or "netstack")
            .ToList();

        var forbidden = used.Except(Allowed[project]).ToList();
        Assert.True(forbidden.Count == 0, $"{project} uses {string.Join(", ", forbidden)}");
    }

    [Fact]
    public void OnlyTheDaemon_ReferencesConcreteDrivers()
    {
        var root = Repository.Root;
        var offenders = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "drivers"), "*.csproj", SearchOption.AllDirectories))
            .Where(p => !p.EndsWith("Netstack.Daemon.csproj", StringComparison.Ordinal))
            .Where(p => XDocument.Load(p).Descendants("ProjectReference")
                .Any(e => e.Attribute("Include")!.Value.Contains("Netstack.Drivers.", StringComparison.Ordinal)))
            .Select(Path.GetFileName)
            .ToList();

        Assert.Empty(offenders);
    }

    private static string FindProject(string name)
    {
        var root = Repository.Root;
        foreach (var folder in new[] { "src", "drivers" })
        {
            var path = Path.Combine(root, folder, name, name + ".csproj");
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new FileNotFoundException($"project {name} not found under src/ or drivers/");
    }
}
