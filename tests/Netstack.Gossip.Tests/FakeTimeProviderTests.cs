using Netstack.TestKit;
using Xunit;

namespace Netstack.Gossip.Tests;

public sealed class FakeTimeProviderTests
{
    [Fact]
    public void Advance_FiresDueTimersInOrder_IncludingOnesCreatedByCallbacks()
    {
        var time = new FakeTimeProvider();
        var log = new List<string>();
        using var b = time.CreateTimer(_ => log.Add($"b@{time.Elapsed.TotalMilliseconds}"), null, TimeSpan.FromMilliseconds(200), Timeout.InfiniteTimeSpan);
        ITimer? child = null;
        using var a = time.CreateTimer(_ =>
        {
            log.Add($"a@{time.Elapsed.TotalMilliseconds}");
            child = time.CreateTimer(_ => log.Add($"c@{time.Elapsed.TotalMilliseconds}"), null, TimeSpan.FromMilliseconds(50), Timeout.InfiniteTimeSpan);
        }, null, TimeSpan.FromMilliseconds(100), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromMilliseconds(300));

        Assert.Equal(["a@100", "c@150", "b@200"], log);
        Assert.Equal(TimeSpan.FromMilliseconds(300), time.Elapsed);
        child!.Dispose();
    }

    [Fact]
    public void PeriodicTimer_ChangeAndDispose_AreHonoured()
    {
        var time = new FakeTimeProvider();
        var count = 0;
        var timer = time.CreateTimer(_ => count++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(3.5));
        Assert.Equal(3, count);
        timer.Change(TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(3, count);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(4, count);
        timer.Change(TimeSpan.Zero, TimeSpan.FromSeconds(1));
        timer.Dispose();
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(4, count);
    }

    [Fact]
    public async Task DelayAndClock_FollowAdvance()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var start = time.GetTimestamp();
        var delay = Task.Delay(TimeSpan.FromSeconds(5), time);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(delay.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await delay;
        Assert.Equal(TimeSpan.FromSeconds(5), time.GetElapsedTime(start));
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 5, TimeSpan.Zero), time.GetUtcNow());
    }
}
