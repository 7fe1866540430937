import MinzhengCore
import Testing

@Suite struct TokenBucketsTests {
    @Test func aBurstIsAllowedThenTheCallerIsToldHowLongToWait() {
        let buckets = TokenBuckets(.init(perSecond: 2, burst: 3))
        #expect((0..<3).allSatisfy { _ in buckets.take("app", now: 100) == nil })
        let wait = buckets.take("app", now: 100)
        #expect(wait == 0.5)
        // Refused attempts take nothing: half a second later one token is there, and only one.
        #expect(buckets.take("app", now: 100.5) == nil)
        #expect(buckets.take("app", now: 100.5) != nil)
        // Others are not slowed down.
        #expect(buckets.take("other", now: 100.5) == nil)
    }

    @Test func anIdleBucketFillsUpToItsBurstOnly() {
        let buckets = TokenBuckets(.init(perSecond: 1, burst: 2))
        _ = buckets.take("a", now: 0)
        _ = buckets.take("a", now: 0)
        #expect(buckets.take("a", now: 1_000) == nil)
        #expect(buckets.take("a", now: 1_000) == nil)
        #expect(buckets.take("a", now: 1_000) != nil)
    }

    @Test func aClockSetBackGivesNothing() {
        let buckets = TokenBuckets(.init(perSecond: 1, burst: 1))
        #expect(buckets.take("a", now: 50) == nil)
        #expect(buckets.take("a", now: 10) != nil)
        #expect(buckets.take("a", now: 50.5) != nil)
        #expect(buckets.take("a", now: 51) == nil)
    }

    @Test func memoryIsBoundedByForgettingFullBuckets() {
        let buckets = TokenBuckets(.init(perSecond: 1, burst: 1), maxKeys: 100)
        for n in 0..<100 { _ = buckets.take("old-\(n)", now: 0) }
        #expect(buckets.count == 100)
        // Much later every old bucket is full again: forgetting them changes no answer.
        #expect(buckets.take("new", now: 10) == nil)
        #expect(buckets.count == 1)
        // A busy key is never forgotten while it is still short of tokens.
        #expect(buckets.take("new", now: 10) != nil)
    }

    @Test func severalBucketsGiveATokenEachOrNoneAtAll() {
        let buckets = TokenBuckets(.init(perSecond: 0.001, burst: 2))
        #expect(buckets.take(["me", "victim"], now: 0) == nil)
        #expect(buckets.take(["me"], now: 0) == nil)
        // "me" is empty: trying with the victim's key again takes nothing from the victim.
        #expect(buckets.take(["me", "victim"], now: 0) != nil)
        #expect(buckets.take(["me", "victim"], now: 0) != nil)
        #expect(buckets.take(["victim"], now: 0) == nil)
        #expect(buckets.take(["victim"], now: 0) != nil)
    }

    @Test func aTokenGivenBackCanBeTakenAgainButNeverBeyondTheBurst() {
        let buckets = TokenBuckets(.init(perSecond: 0.001, burst: 2))
        #expect(buckets.take("citizen", now: 0) == nil)
        #expect(buckets.take("citizen", now: 0) == nil)
        #expect(buckets.take("citizen", now: 0) != nil)
        buckets.giveBack("citizen")  // the app's bucket refused the second request after it took this one
        #expect(buckets.take("citizen", now: 0) == nil)
        #expect(buckets.take("citizen", now: 0) != nil)
        buckets.giveBack("stranger")  // never took anything: nothing to give back, and nothing remembered
        #expect(buckets.count == 1)
        for _ in 0..<5 { buckets.giveBack("citizen") }
        #expect(buckets.take("citizen", now: 0) == nil && buckets.take("citizen", now: 0) == nil)
        #expect(buckets.take("citizen", now: 0) != nil, "at most the burst")
    }

    @Test func whenEveryKeyIsBusyTheLeastRecentlyUsedTenthIsForgotten() {
        let buckets = TokenBuckets(.init(perSecond: 0.01, burst: 5), maxKeys: 20)
        for n in 0..<20 { _ = buckets.take("busy-\(n)", now: Double(n)) }
        #expect(buckets.take("new", now: 30) == nil)
        #expect(buckets.count == 19)
        // The two oldest went; a recent one still has its count (four left of five).
        for _ in 0..<4 { #expect(buckets.take("busy-19", now: 30) == nil) }
        #expect(buckets.take("busy-19", now: 30) != nil)
    }

    @Test(arguments: [("20/s", 20.0, 20.0), ("30/min", 0.5, 30.0), ("600/h", 600.0 / 3600, 600.0)])
    func limitsAreWrittenAsCountPerUnit(text: String, perSecond: Double, burst: Double) {
        #expect(TokenBuckets.Limit(text) == .init(perSecond: perSecond, burst: burst))
    }

    @Test(arguments: ["", "20", "20/d", "0/s", "-1/s", "x/min", "20/s/s"])
    func nonsenseLimitsAreRefused(text: String) {
        #expect(TokenBuckets.Limit(text) == nil)
    }
}
