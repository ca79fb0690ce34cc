//! `cargo run -p newsvault-extract --example extract_page -- FILE[.gz] URL`: prints what
//! extraction finds in one saved page (a debugging aid).

use newsvault_extract as extract;
use std::io::Read;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(url)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: extract_page FILE[.gz] URL");
        std::process::exit(64);
    };
    let mut bytes = std::fs::read(path).expect("read page");
    if path.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .expect("gunzip page");
        bytes = out;
    }
    let url = url::Url::parse(url).expect("URL");
    let a = extract::extract(&bytes, &url);
    println!(
        "title: {:?}\nbyline: {:?}\npublished: {:?}\nlanguage: {:?}\nlead_image: {:?}\nmethod: {:?}\n",
        a.title, a.byline, a.published, a.language, a.lead_image, a.method
    );
    println!("{}\n\n{}", a.html, clean::text(&a.html));
}
