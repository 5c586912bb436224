using Netstack.Linux;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Linux;

public sealed class LinkDeleteBatcherTests
{
    private const uint BatchGroup = 0xB0FF_0001;

    [PrivilegedFact]
    public async Task ManyAtOnce_AreDeletedAsAGroup_MissingOnesCountAsDeleted_OthersStay()
    {
        using var ns = TestNamespace.Create();
        var nl = ns.Netlink;
        const int Pairs = 40;
        for (var i = 0; i < Pairs; i++)
        {
            nl.LinkAdd(new VethSpec($"lb{i}a", $"lb{i}b") { Up = true });
        }
        nl.LinkAdd(new VethSpec("keep-a", "keep-b") { Up = true });
        var groupsAsked = 0;
        var batcher = new LinkDeleteBatcher(nl, () =>
        {
            Interlocked.Increment(ref groupsAsked);
            return BatchGroup;
        });

        // Asked for together: the first goes alone, the rest arrive while it is in the kernel
        // (a veth deletion waits for an RCU grace period) and go as one group.
        var deletions = Enumerable.Range(0, Pairs).Select(i => batcher.DeleteAsync($"lb{i}a")).Append(batcher.DeleteAsync("nosuch0")).ToList();
        await Task.WhenAll(deletions);

        var left = nl.LinkList().Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(left, n => n.StartsWith("lb", StringComparison.Ordinal));
        Assert.Contains("keep-a", left);
        Assert.Contains("keep-b", left);
        Assert.True(groupsAsked >= 1, "no batch was deleted as a group");

        // One alone afterwards: a plain delete.
        var before = groupsAsked;
        await batcher.DeleteAsync("keep-a");
        Assert.Null(nl.LinkFind("keep-b"));
        Assert.Equal(before, groupsAsked);
    }
}
