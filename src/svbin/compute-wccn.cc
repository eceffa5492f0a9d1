// compute-wccn: the within-class covariance normalisation (WCCN) transform of speaker
// embeddings, from labelled training embeddings, for nnet-eval-eer --transform.
#include "nnet/train-data.h"
#include "sv/wccn.h"
#include "util/kaldi-io.h"
#include "util/kaldi-table.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

using namespace tdnas;

int main(int argc, char *argv[]) {
  return RunMain(argc, argv, [&]() -> int {
    const char *usage =
        "Estimate the WCCN transform of speaker embeddings: with W the covariance of the\n"
        "L2-normalised training embeddings around their speakers' means, shrunk toward a\n"
        "scaled identity (Ledoit-Wolf by default), writes L^-1 where W = L L^T. Cosine scoring\n"
        "after x -> L^-1 x down-weights the directions in which one speaker's utterances\n"
        "vary. Apply it with nnet-eval-eer --transform (to trial and cohort embeddings).\n"
        "Every embedding needs a speaker in utt2spk.\n"
        "\n"
        "Usage: compute-wccn [options] <embeddings-rspecifier> <utt2spk-rspecifier> <wccn-wxfilename>\n"
        "e.g.: compute-wccn ark:exp/scores/cohort.ark ark:data/train/utt2spk exp/scores/wccn.mat\n"
        "      nnet-eval-eer --transform=exp/scores/wccn.mat data/test/trials ark:exp/scores/emb.ark\n";
    ParseOptions po(usage);
    bool binary = true;
    WccnOptions opts;
    po.Register("binary", &binary, "Write the matrix in binary mode");
    opts.Register(&po);
    po.Read(argc, argv);
    if (po.NumArgs() != 3) {
      po.PrintUsage();
      return 1;
    }
    const std::string emb_rspecifier = po.GetArg(1), utt2spk_rspecifier = po.GetArg(2),
                      wccn_wxfilename = po.GetArg(3);
    const auto utt2spk = nnet::ReadUtt2Spk(utt2spk_rspecifier);
    EmbeddingTable table;
    std::vector<std::string> speaker;
    for (SequentialBaseFloatVectorReader reader(emb_rspecifier); !reader.Done(); reader.Next()) {
      auto it = utt2spk.find(reader.Key());
      if (it == utt2spk.end())
        TD_ERR << "No speaker for embedding " << reader.Key() << " of " << emb_rspecifier
               << " in " << utt2spk_rspecifier;
      table.Add(reader.Key(), reader.Value());
      speaker.push_back(it->second);
    }
    if (table.NumRows() == 0) TD_ERR << "No embeddings in " << emb_rspecifier;
    WccnInfo info;
    Matrix<float> wccn = ComputeWccn(table, speaker, opts, &info);
    Output out(wccn_wxfilename, binary);
    wccn.Write(out.Stream(), binary);
    out.Close();
    TD_LOG << "WCCN of " << table.Dim() << "-dim embeddings from " << info.num_utts
           << " utterances of " << info.num_speakers << " speakers (" << info.skipped_speakers
           << " speakers with fewer than " << opts.min_utts_per_spk
           << " utterances left out), shrinkage " << info.shrinkage << ", written to "
           << wccn_wxfilename;
    return 0;
  });
}
